using IoTOwnerBot.Cards;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>Paths, a composer over the repository's cards and the sample models the sample data files come from.</summary>
internal static class CardTestSupport
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IoTOwnerBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IoTOwnerBot.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string CardsDirectory => Path.Combine(RepoRoot, "cards");

    public static string ConformanceDirectory => Path.Combine(RepoRoot, "tests", "IoTOwnerBot.Tests", "Cards", "conformance");

    /// <summary>The shared schemas: <c>../shared/schemas/adaptive-cards</c> beside the repository.</summary>
    public static string SchemasDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(RepoRoot); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "schemas", "adaptive-cards");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("shared/schemas/adaptive-cards not found beside the repository.");
        }
    }

    public static CardCatalog Catalog { get; } = CardCatalog.Load(CardsDirectory);

    public static CardComposer Composer(CardCatalog? catalog = null, string defaultLanguage = "en") =>
        new(catalog ?? Catalog, Options.Create(new CardOptions { DefaultLanguage = defaultLanguage, Originator = "6f1b3c2e-provider-id" }));

    public static readonly DateTimeOffset Created = new(2026, 3, 14, 7, 42, 10, TimeSpan.Zero);

    public static CardModel QuestionModel(string? language = "en", string? timeZone = "Europe/Berlin") => new()
    {
        QuestionId = "q-7d41c2",
        CorrelationId = "0f8fad5b-d9cb-469f-a165-70867728950e",
        Incident = new CardIncident(
            "4711",
            "PLC program upload detected on PLC-07",
            "High",
            new Uri("https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/0000/incidents/4711"),
            Created,
            "A program was uploaded to the controller from an engineering workstation."),
        Devices =
        [
            new CardDevice("PLC-07", "PLC", "Siemens", "S7-1500", "10.20.30.17", "00:1B:1B:AA:07:01", "Plant Hamburg", "Line 3", "sensor-hh-01"),
            new CardDevice("EWS-02", "Engineering Station", "Dell", "", "10.20.30.5", null, "Plant Hamburg", "Line 3", "sensor-hh-01"),
        ],
        AnswerOptions = [new CardAnswerOption("yes", "lpt.yes.eyJxIjoicS03ZDQxYzIifQ"), new CardAnswerOption("no", "lpt.no.eyJxIjoicS03ZDQxYzIifQ")],
        CallbackUrl = new Uri("https://bot.example.com/api/outlook/answer"),
        RefreshToken = "lpt.refresh.eyJxIjoicS03ZDQxYzIifQ",
        Recipient = new CardRecipient(language, timeZone, ["29:1a2b3c-owner"]),
        ExpiresAt = Created.AddDays(3),
    };

    /// <summary>The model behind <c>{card}/{channel}.vN.sample.json</c>.</summary>
    public static CardModel SampleModel(CardKind kind) => kind switch
    {
        CardKind.OwnerQuestion => QuestionModel(),
        CardKind.OwnerAnswered => QuestionModel() with
        {
            Outcome = new CardOutcome(CardOutcomeKind.Answered, Created.AddMinutes(25), "yes", "Jana Schmidt", CardChannel.Email),
        },
        CardKind.OwnerExpired => QuestionModel() with { Outcome = new CardOutcome(CardOutcomeKind.Expired, Created.AddDays(3)) },
        CardKind.OwnerClosed => QuestionModel() with { Outcome = new CardOutcome(CardOutcomeKind.Cancelled, Created.AddHours(2), By: "SOC analyst Tom Berger") },
        CardKind.SocThread => QuestionModel(language: null, timeZone: null) with
        {
            Outcome = new CardOutcome(CardOutcomeKind.Answered, Created.AddMinutes(25), "yes", "Jana Schmidt", CardChannel.Email),
            Owners = [new CardOwner("Jana Schmidt", "answered"), new CardOwner("Ali Kaya", "pending")],
            Timeline =
            [
                new CardTimelineEntry(Created.AddMinutes(1), "Question sent to Jana Schmidt and Ali Kaya by e-mail"),
                new CardTimelineEntry(Created.AddMinutes(25), "Jana Schmidt answered: expected (Outlook)"),
                new CardTimelineEntry(Created.AddMinutes(26), "Incident closed as BenignPositive"),
            ],
            Round = 2,
            SocActions = new CardSocActions(Cancel: false, Reask: true),
        },
        CardKind.OwnerDigest => DigestModel(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A digest of four incidents: two open, one answered in Teams by another owner, one expired.</summary>
    public static CardModel DigestModel(string? language = "en", string? timeZone = "Europe/Berlin")
    {
        var question = QuestionModel(language, timeZone);
        static CardIncident Incident(string number, string title, string severity, int minutes) => new(
            number, title, severity, new Uri($"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/0000/incidents/{number}"),
            Created.AddMinutes(minutes));
        return question with
        {
            QuestionId = "d-5e2a91",
            AnswerOptions = [],
            RefreshToken = "lpt.digest-refresh.eyJkIjoiZC01ZTJhOTEifQ",
            Digest = new CardDigest(
                "d-5e2a91",
                [
                    new CardDigestItem("q-7d41c2", question.Incident, ["PLC-07", "EWS-02"]),
                    new CardDigestItem("q-7d41c3", Incident("4712", "Unauthorized firmware version on PLC-08", "Medium", 1), ["PLC-08"]),
                    new CardDigestItem("q-7d41c4", Incident("4713", "New remote access connection to HMI-02", "Low", 2), ["HMI-02", "PLC-07", "PLC-08", "RTU-12"],
                        new CardOutcome(CardOutcomeKind.Answered, Created.AddMinutes(20), "no", "Ali Kaya", CardChannel.Teams)),
                    new CardDigestItem("q-7d41c5", Incident("4714", "Scan detected from EWS-02", "Informational", 3), [],
                        new CardOutcome(CardOutcomeKind.Expired, Created.AddDays(3))),
                ],
                "lpt.digest-each.eyJkIjoiZC01ZTJhOTEifQ",
                "lpt.digest-yes.eyJkIjoiZC01ZTJhOTEifQ",
                "lpt.digest-no.eyJkIjoiZC01ZTJhOTEifQ"),
        };
    }

    /// <summary>Incident and people text written to break cards: quotes, braces, template syntax, Markdown, HTML.</summary>
    public const string HostileTitle = "He said \"yes\" ${questionId} {{DATE(2020-01-01T00:00:00Z)}} **bold** [click](https://evil.example) <b>html</b> \\ 'q' `code` _x_ 😀";

    public static CardModel HostileModel(CardKind kind) => SampleModel(kind) with
    {
        Incident = SampleModel(kind).Incident with { Title = HostileTitle, Description = "1. not a list\n- nor this\n# nor a heading\n" + HostileTitle, Number = "${incident.number}" },
        Devices = [new CardDevice("PLC_\"07\" ${x}", "<script>alert(1)</script>", "{\"json\": true}", "*model*", "10.0.0.1", "aa:bb", "[site](x)", "zone\"", "sensor\\")],
        AnswerOptions = [new CardAnswerOption("yes", "tok\"en\\with}{quotes${x}"), new CardAnswerOption("no", "</script><b>")],
        RefreshToken = "refresh\"token}{${y}",
        Owners = kind == CardKind.SocThread ? [new CardOwner("Eve \"${root}\" **x**", "pending")] : [],
        Digest = kind == CardKind.OwnerDigest
            ? SampleModel(kind).Digest! with
            {
                Id = "${digest.id}\"}",
                Items = [.. SampleModel(kind).Digest!.Items.Select(i => i with
                {
                    Incident = i.Incident with { Title = HostileTitle, Number = "${number}" },
                    DeviceNames = ["PLC_\"07\" ${x}", "<script>alert(1)</script>"],
                    Outcome = i.Outcome is { Kind: CardOutcomeKind.Answered } o ? o with { By = "Eve \"${root}\" **x**" } : i.Outcome,
                })],
                AnswerEachToken = "tok\"en\\with}{quotes${x}",
                AllExpectedToken = "</script><b>",
            }
            : null,
    };

    public static IEnumerable<CardKind> KindsFor(CardChannel channel) =>
        Enum.GetValues<CardKind>().Where(k => Catalog.HasCard(CardCatalog.CardId(k), channel));

    public static CardKind KindOf(string cardId) => Enum.GetValues<CardKind>().Single(k => CardCatalog.CardId(k) == cardId);
}
