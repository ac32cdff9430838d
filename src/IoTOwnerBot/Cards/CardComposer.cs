using System.Globalization;
using System.Text.Json.Nodes;
using IoTOwnerBot.Sentinel;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Cards;

/// <summary>A rendered Adaptive Card (its JSON text) and the template version it came from.</summary>
public sealed class RenderedCard(string cardId, CardChannel channel, int version, string json)
{
    public string CardId { get; } = cardId;

    public CardChannel Channel { get; } = channel;

    public int Version { get; } = version;

    /// <summary>A new JSON object of the card on every call (a Teams activity or invoke response takes ownership of it).</summary>
    public JsonObject Content => JsonNode.Parse(json)!.AsObject();

    /// <summary>
    /// The card as JSON. It is escaped as <see cref="JsonNode.ToJsonString"/> with default options does (<c>&lt;</c>,
    /// <c>&gt;</c> and <c>&amp;</c> too), so the text is safe inside the
    /// <c>&lt;script type="application/adaptivecard+json"&gt;</c> block of an e-mail.
    /// </summary>
    public string ToJson() => json;

    /// <summary>Size as Teams counts it: UTF-16 bytes.</summary>
    public int Utf16Size => json.Length * sizeof(char);
}

/// <summary>
/// Turns a channel-neutral <see cref="CardModel"/> into a card: picks the template version (the one the question was
/// sent with, else the current one), builds the template data (localized strings, times in the recipient's zone,
/// untrusted text escaped, long content cut to fit) and renders it. Owns the data contract templates bind to:
/// changes to it are additive only, because released templates keep binding to it.
/// </summary>
public sealed class CardComposer(CardCatalog catalog, IOptions<CardOptions> options)
{
    /// <summary>Self-imposed size cap, safe for Teams, bots and Outlook: 28 KB counted as UTF-16.</summary>
    public const int MaxCardSizeUtf16 = 28 * 1024;

    public const int MaxDevicesShown = 10;
    public const int MaxRefreshUserIds = 60;

    private static readonly Budget[] Budgets =
    [
        new(Devices: MaxDevicesShown, Owners: 20, Timeline: 15, Description: 1000, Field: 80, DigestTitle: 120, DigestDevices: 3, DigestLinks: true, DigestBy: 80),
        new(Devices: 5, Owners: 10, Timeline: 8, Description: 400, Field: 60, DigestTitle: 80, DigestDevices: 2, DigestLinks: true, DigestBy: 60),
        new(Devices: 3, Owners: 5, Timeline: 5, Description: 200, Field: 40, DigestTitle: 80, DigestDevices: 2, DigestLinks: false, DigestBy: 40),
        new(Devices: 1, Owners: 3, Timeline: 3, Description: 0, Field: 40, DigestTitle: 50, DigestDevices: 1, DigestLinks: false, DigestBy: 40),
        // Only a digest of many items with long, non-ASCII titles gets here: the number and severity still fit.
        new(Devices: 1, Owners: 3, Timeline: 3, Description: 0, Field: 40, DigestTitle: 0, DigestDevices: 0, DigestLinks: false, DigestBy: 0),
    ];

    private static readonly string[] OwnerStatuses = ["pending", "answered", "expired", "cancelled"];

    public CardCatalog Catalog => catalog;

    /// <summary>Current template versions; store them with a question when sending it.</summary>
    public CardVersions CurrentVersions => catalog.CurrentVersions;

    /// <summary>
    /// Renders <paramref name="kind"/> for <paramref name="channel"/>. Pass the versions the question was sent with
    /// (<see cref="CardVersions.Parse"/> of what was stored) so refreshed and follow-up cards keep that version.
    /// </summary>
    public RenderedCard Compose(CardKind kind, CardChannel channel, CardModel model, CardVersions? sentWith = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckOutcome(kind, model);
        if (kind == CardKind.OwnerQuestion && channel == CardChannel.Email && model.CallbackUrl is null)
        {
            throw new ArgumentException("An e-mail question card needs the CallbackUrl its Action.Http buttons post to.", nameof(model));
        }

        var cardId = CardCatalog.CardId(kind);
        var version = sentWith?.Get(cardId, channel) ?? catalog.CurrentVersion(cardId, channel);
        var template = catalog.GetTemplate(cardId, channel, version);
        RenderedCard? rendered = null;
        foreach (var budget in Budgets)
        {
            // Worst-case incidents (hundreds of devices, huge descriptions) are shown with less detail until they fit.
            rendered = new RenderedCard(cardId, channel, version, template.RenderObjectJson(BuildData(channel, model, budget)));
            if (rendered.Utf16Size <= MaxCardSizeUtf16)
            {
                return rendered;
            }
        }

        throw new CardTemplateException(template.Name, "", null, $"the rendered card is {rendered!.Utf16Size} bytes (UTF-16), over the {MaxCardSizeUtf16}-byte limit");
    }

    /// <summary>The data object templates are rendered with (<c>$root</c>). Every key is always present.</summary>
    public JsonObject BuildData(CardChannel channel, CardModel model) => BuildData(channel, model, Budgets[0]);

    private JsonObject BuildData(CardChannel channel, CardModel model, Budget budget)
    {
        ArgumentNullException.ThrowIfNull(model);
        var settings = options.Value;
        var (language, strings) = catalog.GetStrings(model.Recipient.Language, settings.DefaultLanguage);
        var zone = FindZone(model.Recipient.TimeZone);
        var incident = model.Incident;

        var devices = new JsonArray();
        foreach (var d in model.Devices.Take(budget.Devices))
        {
            devices.Add(new JsonObject
            {
                ["name"] = Text(d.Name, budget.Field + 40),
                ["type"] = Text(d.Type, budget.Field),
                ["vendor"] = Text(d.Vendor, budget.Field),
                ["model"] = Text(d.Model, budget.Field),
                ["ip"] = Text(d.IpAddress, 64),
                ["mac"] = Text(d.MacAddress, 64),
                ["site"] = Text(d.Site, budget.Field),
                ["zone"] = Text(d.Zone, budget.Field),
                ["sensor"] = Text(d.Sensor, budget.Field),
            });
        }

        var answers = new JsonArray();
        foreach (var option in model.AnswerOptions)
        {
            var answer = option.Answer.ToLowerInvariant();
            if (strings["answers"]?[answer] is null)
            {
                throw new ArgumentException($"Answer '{option.Answer}' has no label in the card strings (answers.{answer}).", nameof(model));
            }

            answers.Add(new JsonObject
            {
                ["answer"] = answer,
                ["style"] = answer == "yes" ? "positive" : "destructive",
                ["token"] = option.Token,
            });
        }

        var owners = new JsonArray();
        foreach (var owner in model.Owners.Take(budget.Owners))
        {
            var status = owner.Status.ToLowerInvariant();
            if (!OwnerStatuses.Contains(status))
            {
                throw new ArgumentException($"Owner status '{owner.Status}' is not one of {string.Join(", ", OwnerStatuses)}.", nameof(model));
            }

            owners.Add(new JsonObject { ["name"] = Text(owner.Name, budget.Field + 40), ["status"] = status });
        }

        var timeline = new JsonArray();
        foreach (var entry in model.Timeline.TakeLast(budget.Timeline))
        {
            timeline.Add(new JsonObject { ["at"] = Local(entry.At, zone.Zone), ["text"] = Text(entry.Text, budget.Field * 2) });
        }

        var outcome = model.Outcome;
        return new JsonObject
        {
            ["lang"] = language,
            ["strings"] = strings,
            ["questionId"] = model.QuestionId,
            ["correlationId"] = model.CorrelationId ?? model.QuestionId,
            ["originator"] = settings.Originator ?? string.Empty,
            ["callbackUrl"] = model.CallbackUrl is null ? string.Empty : CheckUrl(model.CallbackUrl, nameof(CardModel.CallbackUrl)),
            ["refreshToken"] = model.RefreshToken ?? string.Empty,
            ["timeZone"] = zone.Label,
            ["incident"] = new JsonObject
            {
                ["number"] = Text(incident.Number, 40),
                ["title"] = Text(incident.Title, 250, singleLine: true),
                ["severity"] = NormalizeSeverity(incident.Severity),
                ["url"] = CheckUrl(incident.Url, nameof(CardIncident.Url)),
                ["createdAt"] = Local(incident.CreatedAt, zone.Zone),
                ["description"] = Text(incident.Description, budget.Description),
            },
            ["devices"] = devices,
            ["moreDevices"] = Math.Max(0, model.Devices.Count - budget.Devices),
            ["answers"] = answers,
            ["recipientIds"] = new JsonArray((model.Recipient.TeamsUserIds ?? []).Take(MaxRefreshUserIds).Select(id => (JsonNode?)JsonValue.Create(id)).ToArray()),
            ["expiresAt"] = model.ExpiresAt is { } expires ? Local(expires, zone.Zone) : string.Empty,
            ["state"] = outcome?.Kind switch
            {
                CardOutcomeKind.Answered => "answered",
                CardOutcomeKind.Expired => "expired",
                CardOutcomeKind.Cancelled => "cancelled",
                _ => "open",
            },
            ["outcome"] = new JsonObject
            {
                ["answer"] = outcome?.Answer?.ToLowerInvariant() ?? string.Empty,
                ["by"] = Text(outcome?.By, 120),
                ["at"] = outcome is null ? string.Empty : Local(outcome.At, zone.Zone),
                ["channel"] = outcome?.Channel is { } via ? CardCatalog.ChannelName(via) : string.Empty,
            },
            ["owners"] = owners,
            ["moreOwners"] = Math.Max(0, model.Owners.Count - budget.Owners),
            ["timeline"] = timeline,
            ["round"] = model.Round,
            ["socActions"] = new JsonObject { ["cancel"] = model.SocActions.Cancel, ["reask"] = model.SocActions.Reask },
            ["digest"] = DigestData(model.Digest, zone.Zone, budget),
        };
    }

    /// <summary>
    /// The digest's items, each with the id of its answer input (<c>a0</c>, <c>a1</c>, …) and its state, and
    /// <c>answersRef</c>: the Outlook input references of every item (<c>{{a0.value}},{{a1.value}}</c>) for the
    /// Action.Http body of the "send my answers" button.
    /// </summary>
    private static JsonObject DigestData(CardDigest? digest, TimeZoneInfo zone, Budget budget)
    {
        var items = new JsonArray();
        var open = 0;
        var refs = new List<string>();
        for (var i = 0; i < (digest?.Items.Count ?? 0); i++)
        {
            var item = digest!.Items[i];
            var outcome = item.Outcome;
            if (outcome is null) open++;
            var inputId = string.Create(CultureInfo.InvariantCulture, $"a{i}");
            refs.Add("{{" + inputId + ".value}}");
            var devices = string.Join(", ", item.DeviceNames.Take(budget.DigestDevices).Select(d => CardText.Plain(d, budget.Field)));
            var moreDevices = item.DeviceNames.Count - Math.Min(item.DeviceNames.Count, budget.DigestDevices);
            items.Add(new JsonObject
            {
                ["inputId"] = inputId,
                ["questionId"] = item.QuestionId,
                ["number"] = Text(item.Incident.Number, 40),
                ["title"] = Text(item.Incident.Title, budget.DigestTitle, singleLine: true),
                ["severity"] = NormalizeSeverity(item.Incident.Severity),
                ["devices"] = moreDevices > 0 && devices.Length > 0 ? string.Create(CultureInfo.InvariantCulture, $"{devices} +{moreDevices}") : devices,
                ["createdAt"] = Local(item.Incident.CreatedAt, zone),
                ["url"] = budget.DigestLinks ? CheckUrl(item.Incident.Url, nameof(CardIncident.Url)).Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal) : string.Empty,
                ["state"] = outcome?.Kind switch
                {
                    CardOutcomeKind.Answered => "answered",
                    CardOutcomeKind.Expired => "expired",
                    CardOutcomeKind.Cancelled => "cancelled",
                    _ => "open",
                },
                ["answer"] = outcome?.Answer?.ToLowerInvariant() ?? string.Empty,
                ["by"] = Text(outcome?.By, budget.DigestBy),
            });
        }

        return new JsonObject
        {
            ["id"] = digest?.Id ?? string.Empty,
            ["count"] = digest?.Items.Count ?? 0,
            ["open"] = open,
            ["items"] = items,
            ["answersRef"] = string.Join(",", refs),
            ["eachToken"] = digest?.AnswerEachToken ?? string.Empty,
            ["yesToken"] = digest?.AllExpectedToken ?? string.Empty,
            ["noToken"] = digest?.NoneExpectedToken ?? string.Empty,
        };
    }

    private sealed record Budget(int Devices, int Owners, int Timeline, int Description, int Field, int DigestTitle, int DigestDevices, bool DigestLinks, int DigestBy);

    private static void CheckOutcome(CardKind kind, CardModel model)
    {
        var expected = kind switch
        {
            CardKind.OwnerAnswered => CardOutcomeKind.Answered,
            CardKind.OwnerExpired => CardOutcomeKind.Expired,
            CardKind.OwnerClosed => CardOutcomeKind.Cancelled,
            _ => (CardOutcomeKind?)null,
        };
        if (expected is { } outcomeKind && model.Outcome?.Kind != outcomeKind)
        {
            throw new ArgumentException($"A {kind} card needs an outcome of kind {outcomeKind}.", nameof(model));
        }

        if (kind == CardKind.OwnerAnswered && (model.Outcome?.Answer is null || model.Outcome.Channel is null))
        {
            throw new ArgumentException("An answered card needs the answer and the channel it came from.", nameof(model));
        }

        if (kind == CardKind.OwnerDigest && (model.Digest is null || model.Digest.Items.Count == 0))
        {
            throw new ArgumentException("A digest card needs its items.", nameof(model));
        }

        if (kind == CardKind.OwnerDigest && model.Digest!.Items.Any(i => i.Outcome is { Kind: CardOutcomeKind.Answered, Answer: null }))
        {
            throw new ArgumentException("An answered digest item needs the answer.", nameof(model));
        }

        if (kind == CardKind.OwnerQuestion && model.AnswerOptions.Count == 0)
        {
            throw new ArgumentException("A question card needs answer options.", nameof(model));
        }
    }

    private static string Text(string? value, int maxLength, bool singleLine = false) => CardText.Plain(value, maxLength, singleLine);

    private static string NormalizeSeverity(string severity) =>
        IncidentSeverities.Find(severity)
        ?? throw new ArgumentException($"Severity '{severity}' is not a Sentinel severity ({string.Join(", ", IncidentSeverities.Ladder)}).", nameof(severity));

    private static string CheckUrl(Uri url, string name)
    {
        var ok = url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));
        return ok ? url.AbsoluteUri : throw new ArgumentException($"{name} must be an absolute https URL (http only on loopback), not '{url}'.", name);
    }

    /// <summary>
    /// Wall-clock time in the zone, without an offset: templates format it with formatDateTime and print the zone
    /// name beside it. Both our engine and the official one read an offset-less time as it stands.
    /// </summary>
    private static string Local(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private static (TimeZoneInfo Zone, string Label) FindZone(string? id)
    {
        if (!string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone))
        {
            return (zone, id.Trim());
        }

        return (TimeZoneInfo.Utc, "UTC");
    }
}
