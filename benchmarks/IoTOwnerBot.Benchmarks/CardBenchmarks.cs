using System.Diagnostics;
using System.Globalization;
using IoTOwnerBot.Cards;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Benchmarks;

/// <summary>
/// What rendering a card costs: the owner-question e-mail card and a 25-incident digest, each composed from its model
/// (data built, template expanded, JSON written). Medians of batches, allocation per card. Run:
/// <c>dotnet run -c Release --project benchmarks/IoTOwnerBot.Benchmarks -- cards</c>.
/// </summary>
internal static class CardBenchmarks
{
    public static int Run()
    {
        var catalog = CardCatalog.Load(FindCardsDirectory());
        var composer = new CardComposer(catalog, Options.Create(new CardOptions()));
        var question = QuestionModel();
        var digest = question with
        {
            AnswerOptions = [],
            Digest = new CardDigest(
                "d-5e2a91",
                [.. Enumerable.Range(0, 25).Select(i => new CardDigestItem(
                    $"q-{i}",
                    question.Incident with { Number = (4711 + i).ToString(CultureInfo.InvariantCulture), Title = $"PLC program upload detected on PLC-{i:00}" },
                    [$"PLC-{i:00}", "EWS-02"]))],
                "lpt.digest-each.eyJkIjoiZC01ZTJhOTEifQ",
                "lpt.digest-yes.eyJkIjoiZC01ZTJhOTEifQ",
                "lpt.digest-no.eyJkIjoiZC01ZTJhOTEifQ"),
        };

        Console.WriteLine($"IoTOwnerBot card rendering benchmark, {Environment.ProcessorCount} cores");
        Measure("owner-question e-mail card from its model", () => composer.Compose(CardKind.OwnerQuestion, CardChannel.Email, question).ToJson());
        Measure("owner-question Teams card from its model", () => composer.Compose(CardKind.OwnerQuestion, CardChannel.Teams, question).ToJson());
        Measure("25-incident digest e-mail card from its model", () => composer.Compose(CardKind.OwnerDigest, CardChannel.Email, digest).ToJson());
        return 0;
    }

    private static void Measure(string name, Func<string> render)
    {
        for (var i = 0; i < 2000; i++)
        {
            render();
        }

        const int Batches = 41;
        const int PerBatch = 200;
        var times = new List<double>();
        long bytes = 0;
        for (var b = 0; b < Batches; b++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < PerBatch; i++)
            {
                render();
            }

            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / PerBatch);
            bytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: median {times[Batches / 2]:0.0} µs/card (fastest batch {times[0]:0.0}), {bytes / (Batches * PerBatch) / 1024.0:0.0} KB allocated/card"));
    }

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
