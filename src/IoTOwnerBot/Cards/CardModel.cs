namespace IoTOwnerBot.Cards;

/// <summary>The cards IoTOwnerBot sends. Each has one template per channel and version under <c>cards/</c>.</summary>
public enum CardKind
{
    /// <summary>Asks the device owner whether the incident's activity was expected (<c>owner-question</c>).</summary>
    OwnerQuestion,

    /// <summary>The owner card after an answer, by this owner or another (<c>owner-answered</c>).</summary>
    OwnerAnswered,

    /// <summary>The owner card after the deadline passed without an answer (<c>owner-expired</c>).</summary>
    OwnerExpired,

    /// <summary>The owner card after the SOC closed the incident or cancelled the question (<c>owner-closed</c>).</summary>
    OwnerClosed,

    /// <summary>The per-incident card in the SOC Teams channel thread (<c>soc-thread</c>, Teams only).</summary>
    SocThread,

    /// <summary>Several questions to one owner in one card, each answered on its own or all at once (<c>owner-digest</c>).</summary>
    OwnerDigest,
}

/// <summary>Where a card is delivered: Outlook actionable e-mail (Adaptive Card 1.0, Action.Http) or Teams (1.5, Action.Execute).</summary>
public enum CardChannel
{
    Email,
    Teams,
}

/// <summary>
/// Everything a card can show, independent of channel. The caller supplies opaque values (tokens, ids, URLs);
/// text from incidents and directories is untrusted and is rendered as plain text.
/// </summary>
public sealed record CardModel
{
    /// <summary>Our question id; goes into every callback payload.</summary>
    public required string QuestionId { get; init; }

    public required CardIncident Incident { get; init; }

    public IReadOnlyList<CardDevice> Devices { get; init; } = [];

    /// <summary>The buttons, in order, each with its own limited-purpose token.</summary>
    public IReadOnlyList<CardAnswerOption> AnswerOptions { get; init; } = [];

    /// <summary>Absolute URL the Outlook <c>Action.Http</c> buttons POST to (e-mail question card only).</summary>
    public Uri? CallbackUrl { get; init; }

    /// <summary>
    /// Opaque token for the e-mail card's <c>autoInvokeAction</c>: Outlook posts it when the message is opened, and
    /// the answer replaces the card with the question's current state (answered by someone else, expired, cancelled).
    /// </summary>
    public string? RefreshToken { get; init; }

    /// <summary>Outlook echoes it in <c>Card-Correlation-Id</c>; defaults to the question id.</summary>
    public string? CorrelationId { get; init; }

    public CardRecipient Recipient { get; init; } = new();

    /// <summary>When the question expires, if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>What happened to the question; null while it is open.</summary>
    public CardOutcome? Outcome { get; init; }

    /// <summary>The owners asked (SOC thread card).</summary>
    public IReadOnlyList<CardOwner> Owners { get; init; } = [];

    /// <summary>Summary of the question's timeline, oldest first (SOC thread card).</summary>
    public IReadOnlyList<CardTimelineEntry> Timeline { get; init; } = [];

    /// <summary>The questions of a digest card (<see cref="CardKind.OwnerDigest"/>); null for every other card.</summary>
    public CardDigest? Digest { get; init; }

    /// <summary>Which round of asking this is (1 = first; SOC thread card).</summary>
    public int Round { get; init; } = 1;

    /// <summary>The SOC's buttons the card offers (SOC thread card).</summary>
    public CardSocActions SocActions { get; init; } = CardSocActions.None;
}

/// <param name="Cancel">Offer "cancel the question" (while it is open).</param>
/// <param name="Reask">Offer "ask the owners again" (once it is decided).</param>
public sealed record CardSocActions(bool Cancel, bool Reask)
{
    public static readonly CardSocActions None = new(false, false);
}

/// <summary>
/// A digest: several questions to one owner. Each open item gets its own expected / not expected choice, sent with
/// <paramref name="AnswerEachToken"/>'s button; the two bulk buttons answer every item still open.
/// </summary>
/// <param name="Id">Our digest id; goes into every callback payload.</param>
/// <param name="AnswerEachToken">Token of the "send my answers" button (e-mail); opaque.</param>
/// <param name="AllExpectedToken">Token of "all of these are expected" (e-mail); opaque.</param>
/// <param name="NoneExpectedToken">Token of "none of these were expected" (e-mail); opaque.</param>
public sealed record CardDigest(
    string Id,
    IReadOnlyList<CardDigestItem> Items,
    string? AnswerEachToken = null,
    string? AllExpectedToken = null,
    string? NoneExpectedToken = null);

/// <param name="Outcome">What happened to this item's question; null while it is open.</param>
public sealed record CardDigestItem(string QuestionId, CardIncident Incident, IReadOnlyList<string> DeviceNames, CardOutcome? Outcome = null);

/// <param name="Number">Sentinel incident number as shown to people.</param>
/// <param name="Severity">Sentinel severity: Informational, Low, Medium or High.</param>
/// <param name="Url">Link to the incident in the portal.</param>
public sealed record CardIncident(
    string Number,
    string Title,
    string Severity,
    Uri Url,
    DateTimeOffset CreatedAt,
    string? Description = null);

public sealed record CardDevice(
    string Name,
    string? Type = null,
    string? Vendor = null,
    string? Model = null,
    string? IpAddress = null,
    string? MacAddress = null,
    string? Site = null,
    string? Zone = null,
    string? Sensor = null);

/// <param name="Answer">The answer the button records: <c>yes</c> or <c>no</c>.</param>
/// <param name="Token">Opaque limited-purpose token for this button, issued by the caller.</param>
public sealed record CardAnswerOption(string Answer, string Token);

/// <param name="Language">Preferred language (e.g. <c>de-DE</c>); the configured default when null or unknown.</param>
/// <param name="TimeZone">IANA or Windows time zone id; times are shown in UTC when null or unknown.</param>
/// <param name="TeamsUserIds">Teams user ids (<c>29:…</c>) whose cards refresh automatically.</param>
public sealed record CardRecipient(string? Language = null, string? TimeZone = null, IReadOnlyList<string>? TeamsUserIds = null);

public enum CardOutcomeKind
{
    Answered,
    Expired,
    Cancelled,
}

/// <param name="Answer">For <see cref="CardOutcomeKind.Answered"/>: <c>yes</c> or <c>no</c>.</param>
/// <param name="By">Who answered, or who closed the incident; display text.</param>
/// <param name="At">When it happened.</param>
/// <param name="Channel">The channel the answer came from.</param>
public sealed record CardOutcome(CardOutcomeKind Kind, DateTimeOffset At, string? Answer = null, string? By = null, CardChannel? Channel = null);

/// <param name="Status">pending, answered, expired or cancelled.</param>
public sealed record CardOwner(string Name, string Status = "pending");

public sealed record CardTimelineEntry(DateTimeOffset At, string Text);
