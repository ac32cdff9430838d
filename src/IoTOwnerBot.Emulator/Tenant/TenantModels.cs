namespace IoTOwnerBot.Emulator.Tenant;

/// <summary>A user of the emulated tenant. <see cref="Mail"/> null means the user has no mailbox.</summary>
public sealed record DirectoryUser
{
    public required string Id { get; init; }
    public required string UserPrincipalName { get; init; }
    public required string DisplayName { get; init; }
    public string? Mail { get; init; }
    public string? GivenName { get; init; }
    public string? Surname { get; init; }
    public string? JobTitle { get; init; }
    public string? OfficeLocation { get; init; }
    public string? PreferredLanguage { get; init; }

    /// <summary>Windows time zone name as Graph mailboxSettings returns it, e.g. <c>W. Europe Standard Time</c>.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Manager's id or UPN.</summary>
    public string? Manager { get; init; }

    /// <summary>
    /// Every address mail to this user is delivered at, as Entra keeps them: <c>SMTP:</c> marks the primary address,
    /// <c>smtp:</c> an alias. Left empty, a user with a mailbox has only its primary address.
    /// </summary>
    public IReadOnlyList<string>? ProxyAddresses { get; init; }

    /// <summary>The proxy addresses Graph returns: the configured ones, or the primary address alone.</summary>
    public IReadOnlyList<string> EffectiveProxyAddresses =>
        ProxyAddresses is { Count: > 0 } addresses ? addresses : Mail is null ? [] : [$"SMTP:{Mail}"];

    /// <summary>Whether mail to <paramref name="address"/> reaches this user (primary address or an alias).</summary>
    public bool ReceivesMailAt(string address) =>
        string.Equals(Mail, address, StringComparison.OrdinalIgnoreCase)
        || EffectiveProxyAddresses.Any(p => p.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase)
                                            && string.Equals(p[5..], address, StringComparison.OrdinalIgnoreCase));

    public bool Matches(string idOrUpn) =>
        string.Equals(Id, idOrUpn, StringComparison.OrdinalIgnoreCase)
        || string.Equals(UserPrincipalName, idOrUpn, StringComparison.OrdinalIgnoreCase);
}

/// <summary>An address on a message.</summary>
public sealed record MailAddress(string Address, string? Name = null);

public sealed record MessageHeader(string Name, string Value);

/// <summary>A message as a mailbox holds it (inbox or sent items).</summary>
public sealed record MailMessage
{
    public required string Id { get; init; }
    public required string InternetMessageId { get; init; }
    public required string Subject { get; init; }
    public string BodyContentType { get; init; } = "HTML";
    public required string Body { get; init; }
    public required MailAddress From { get; init; }
    public IReadOnlyList<MailAddress> To { get; init; } = [];
    public IReadOnlyList<MailAddress> Cc { get; init; } = [];
    public IReadOnlyList<MessageHeader> InternetMessageHeaders { get; init; } = [];
    public string Importance { get; init; } = "normal";
    public DateTime ReceivedAt { get; init; }
}

/// <summary>What <c>GET /admin/mailboxes/{address}</c> returns. Messages are oldest first, newest last.</summary>
public sealed record MailboxView(string Address, bool IsExternal, IReadOnlyList<MailMessage> Messages, IReadOnlyList<MailMessage> SentItems)
{
    /// <summary>Messages accepted over Exchange's message rate, waiting to leave.</summary>
    public IReadOnlyList<MailMessage> Outbox { get; init; } = [];

    /// <summary>Its sending budget, once it has sent.</summary>
    public SendingBudget? Sending { get; init; }
}

public sealed record MailboxSummary(string Address, bool IsExternal, int MessageCount, int SentItemCount)
{
    public int OutboxCount { get; init; }
    public SendingBudget? Sending { get; init; }
}

/// <summary>
/// One sender mailbox against Exchange's sending limits: messages accepted and refused, waiting in the Outbox, left in
/// the past minute, recipients of the past 24 h and what is left of the daily budget; <see cref="Blocked"/> while it
/// cannot send at all.
/// </summary>
public sealed record SendingBudget(
    string Address,
    long Submitted,
    long Refused,
    int Outbox,
    int SentLastMinute,
    int MessagesPerMinute,
    long RecipientsLast24Hours,
    long RecipientsLeft,
    bool Blocked,
    DateTime? OutboxEmptyAt);

/// <summary>The mail folders Graph lists.</summary>
public enum MailFolder { Inbox, SentItems, Outbox }
