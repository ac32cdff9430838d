using System.Diagnostics;
using System.Globalization;
using IoTOwnerBot.Cards;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Benchmarks;

/// <summary>
/// What rendering a card costs: the owner-question e-mail card and a 25-incident digest, each composed from its model
/// (data built, template expanded, JSON written), then the parts of the e-mail card on their own. Every render is
/// timed on its own after a warm-up; the figures are the median and 90th percentile of those times and the bytes
/// allocated per render on this thread. Build and run in Release:
/// <c>dotnet run -c Release --project benchmarks/IoTOwnerBot.Benchmarks -- cards [iterations=20000]</c>.
/// </summary>
internal static class CardBenchmarks
{
    public static int Run(IReadOnlyList<string> args)
    {
        var iterations = args.Select(a => a.Split('=')).Where(p => p is ["iterations", _]).Select(p => int.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault(20_000);
        var catalog = CardCatalog.Load(FindCardsDirectory());
        var composer = new CardComposer(catalog, Options.Create(new CardOptions()));
        var question = QuestionModel();
        var digest = DigestModel(question, 25);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"IoTOwnerBot card rendering benchmark: {iterations} renders each after a warm-up, {Environment.ProcessorCount} cores, {(IsOptimized() ? "Release" : "Debug (figures are not representative)")}"));
        Measure("owner-question e-mail card from its model", iterations, () => composer.Compose(CardKind.OwnerQuestion, CardChannel.Email, question).ToJson());
        Measure("owner-question Teams card from its model", iterations, () => composer.Compose(CardKind.OwnerQuestion, CardChannel.Teams, question).ToJson());
        Measure("25-incident digest e-mail card from its model", Math.Max(1, iterations / 5), () => composer.Compose(CardKind.OwnerDigest, CardChannel.Email, digest).ToJson());

        // The e-mail card's two parts: building the template data, and expanding the template to JSON text.
        var cardId = CardCatalog.CardId(CardKind.OwnerQuestion);
        var template = catalog.GetTemplate(cardId, CardChannel.Email, catalog.CurrentVersion(cardId, CardChannel.Email));
        var data = composer.BuildData(CardChannel.Email, question);
        Measure("  part: template data of the e-mail card", iterations, () => composer.BuildData(CardChannel.Email, question));
        Measure("  part: expanding the e-mail template to JSON", iterations, () => template.RenderObjectJson(data));
        return 0;
    }

    private static void Measure<T>(string name, int iterations, Func<T> render)
    {
        for (var i = 0; i < Math.Max(200, iterations / 10); i++)
        {
            render();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new double[iterations];
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            render();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)iterations;
        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: median {times[iterations / 2]:0.0} µs, p90 {times[(int)(iterations * 0.9)]:0.0} µs, min {times[0]:0.0} µs, {bytes / 1024:0.0} KB allocated per render"));
    }

    private static bool IsOptimized() =>
        typeof(CardComposer).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is not [DebuggableAttribute { IsJITOptimizerDisabled: true }];

    private static CardModel DigestModel(CardModel question, int count) => question with
    {
        AnswerOptions = [],
        Digest = new CardDigest(
            "d-5e2a91",
            [.. Enumerable.Range(0, count).Select(i => new CardDigestItem(
                $"q-{i}",
                question.Incident with { Number = (4711 + i).ToString(CultureInfo.InvariantCulture), Title = $"PLC program upload detected on PLC-{i:00}" },
                [$"PLC-{i:00}", "EWS-02"]))],
            "lpt.digest-each.eyJkIjoiZC01ZTJhOTEifQ",
            "lpt.digest-yes.eyJkIjoiZC01ZTJhOTEifQ",
            "lpt.digest-no.eyJkIjoiZC01ZTJhOTEifQ"),
    };

    private static CardModel QuestionModel()
    {
        var created = new DateTimeOffset(2026, 3, 14, 8, 42, 10, TimeSpan.Zero);
        return new CardModel
        {
            QuestionId = "q-7d41c2",
            CorrelationId = "0f8fad5b-d9cb-469f-a165-70867728950e",
            Incident = new CardIncident(
                "4711",
                "PLC program upload detected on PLC-07",
                "High",
                new Uri("https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/0000/incidents/4711"),
                created,
                "A program was uploaded to the controller from an engineering workstation."),
            Devices =
            [
                new CardDevice("PLC-07", "PLC", "Siemens", "S7-1500", "10.20.30.17", "00:1B:1B:AA:07:01", "Plant Hamburg", "Line 3", "sensor-hh-01"),
                new CardDevice("EWS-02", "Engineering Station", "Dell", "", "10.20.30.5", null, "Plant Hamburg", "Line 3", "sensor-hh-01"),
            ],
            AnswerOptions = [new CardAnswerOption("yes", "lpt.yes.eyJxIjoicS03ZDQxYzIifQ"), new CardAnswerOption("no", "lpt.no.eyJxIjoicS03ZDQxYzIifQ")],
            CallbackUrl = new Uri("https://bot.example.com/api/outlook/answer"),
            RefreshToken = "lpt.refresh.eyJxIjoicS03ZDQxYzIifQ",
            Recipient = new CardRecipient("de", "Europe/Berlin", ["29:1a2b3c-owner"]),
            ExpiresAt = created.AddDays(3),
        };
    }

    private static string FindCardsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var cards = Path.Combine(dir.FullName, "cards");
            if (File.Exists(Path.Combine(cards, "catalog.json")))
            {
                return cards;
            }
        }

        throw new DirectoryNotFoundException("cards/catalog.json not found above " + AppContext.BaseDirectory);
    }
}
