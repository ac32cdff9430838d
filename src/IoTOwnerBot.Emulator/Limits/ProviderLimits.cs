namespace IoTOwnerBot.Emulator.Limits;

/// <summary>
/// The providers' published limits the emulator enforces, as Microsoft does (the figures of
/// <c>reference/limits.md</c>). <c>new()</c> is Microsoft's; a test or the lab may lower a figure to reach a limit
/// sooner, or switch enforcement off for an area with <c>Enabled = false</c>.
/// </summary>
public sealed record ProviderLimits
{
    public ExchangeLimits Exchange { get; init; } = new();
    public GraphMailboxLimits GraphMailbox { get; init; } = new();
    public ArmLimits Arm { get; init; } = new();
    public LogAnalyticsLimits LogAnalytics { get; init; } = new();
    public TeamsLimits Teams { get; init; } = new();

    /// <summary>Nothing enforced: only for a test about something else that must outrun Microsoft.</summary>
    public static ProviderLimits None { get; } = new()
    {
        Exchange = new() { Enabled = false },
        GraphMailbox = new() { Enabled = false },
        Arm = new() { Enabled = false },
        LogAnalytics = new() { Enabled = false },
        Teams = new() { Enabled = false },
    };
}

/// <summary>Exchange Online sending limits of one mailbox (they apply to Graph sendMail).</summary>
public sealed record ExchangeLimits
{
    public bool Enabled { get; init; } = true;

    /// <summary>Messages a mailbox submits per minute; excess submissions wait in its Outbox for the following minutes.</summary>
    public int MessagesPerMinute { get; init; } = 30;

    /// <summary>Recipients per 24 h, sliding; past it the mailbox cannot send anything until the count drops below.</summary>
    public int RecipientsPerDay { get; init; } = 10_000;

    /// <summary>Recipients of one message (To, Cc and Bcc together); more is refused.</summary>
    public int RecipientsPerMessage { get; init; } = 500;
}

/// <summary>Microsoft Graph's Outlook service limits, per app and mailbox.</summary>
public sealed record GraphMailboxLimits
{
    public bool Enabled { get; init; } = true;
    public int Concurrency { get; init; } = 4;
    public int RequestsPer10Minutes { get; init; } = 10_000;
}

/// <summary>Azure Resource Manager token buckets, per subscription, principal and operation type.</summary>
public sealed record ArmLimits
{
    public bool Enabled { get; init; } = true;
    public int ReadBucket { get; init; } = 250;
    public int ReadsPerSecond { get; init; } = 25;
    public int WriteBucket { get; init; } = 200;
    public int WritesPerSecond { get; init; } = 10;
    public int DeleteBucket { get; init; } = 200;
    public int DeletesPerSecond { get; init; } = 10;
}

/// <summary>Log Analytics query API limits, per principal.</summary>
public sealed record LogAnalyticsLimits
{
    public bool Enabled { get; init; } = true;
    public int RequestsPer30Seconds { get; init; } = 200;
    public int Concurrency { get; init; } = 5;

    /// <summary>How long a query over the concurrency limit waits for a slot before it fails.</summary>
    public int QueueSeconds { get; init; } = 180;
}

/// <summary>Bot Connector limits for a bot: per conversation, and per app and tenant.</summary>
public sealed record TeamsLimits
{
    public bool Enabled { get; init; } = true;
    public int PerConversationPerSecond { get; init; } = 7;
    public int PerConversationPer2Seconds { get; init; } = 8;
    public int PerConversationPer30Seconds { get; init; } = 60;
    public int PerConversationPerHour { get; init; } = 1_800;
    public int PerTenantPerSecond { get; init; } = 50;
}
