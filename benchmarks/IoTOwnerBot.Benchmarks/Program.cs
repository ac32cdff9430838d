using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Questions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Benchmarks;

/// <summary>
/// Figures for the click path: how long the service takes to answer an Outlook click (the answer recorded,
/// the refreshed card rendered, the incident update left to durable work), and what its parts cost.
/// Run: <c>dotnet run -c Release --project benchmarks/IoTOwnerBot.Benchmarks [-- clicks=200]</c>.
/// </summary>
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["scaleout", .. var rest]) return await ScaleOutBenchmark.RunAsync(rest);
        if (args is ["cards", .. var cardArgs]) return CardBenchmarks.Run(cardArgs);
        if (args is ["limits", .. var limitArgs]) return await LimitsBenchmark.RunAsync(limitArgs);
        if (args is ["startup", .. var startupArgs]) return await StartupBenchmark.RunAsync(startupArgs);

        var clicks = args.Select(a => a.Split('=')).Where(p => p is ["clicks", _]).Select(p => int.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault(200);
        // How long each steady round runs (seconds): longer runs are for attaching a profiler.
        var steadySeconds = args.Select(a => a.Split('=')).Where(p => p is ["steady", _]).Select(p => int.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault(10);
        await using var emulator = await EmulatorServer.StartAsync();
        var database = Path.Combine(Path.GetTempPath(), $"iotownerbot-bench-{Guid.NewGuid():N}.db");
        var port = FreePort();
        var settings = LocalMode.ConfigurationFor(emulator);
        settings["Local:StartEmulator"] = "false";
        settings["Storage:ConnectionString"] = $"Data Source={database}";
        settings["Sentinel:Poller:Enabled"] = "false";
        settings["Digest:Window"] = "00:00:00"; // one e-mail per incident: this measures single clicks
        settings["Service:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        settings["urls"] = $"http://127.0.0.1:{port}";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:IoTOwnerBot"] = "Warning";
        // The clicks need their e-mails first: 50 mailboxes × 30 a minute send 200 in 8 s.
        LimitsBenchmark.AddSenderPool(emulator, settings, 50);

        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseContentRoot(AppContext.BaseDirectory);
            web.UseEnvironment("Production"); // as deployed: no developer exception page
            foreach (var (key, value) in settings) web.UseSetting(key, value);
        });
        factory.UseKestrel(port);
        var starting = Stopwatch.GetTimestamp();
        factory.StartServer();
        using var bot = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        while (!(await bot.GetAsync("readyz")).IsSuccessStatusCode) await Task.Delay(10);
        var startup = Stopwatch.GetElapsedTime(starting);

        Console.WriteLine($"IoTOwnerBot click-path benchmark: {clicks} clicks, SQLite, loopback HTTP, {Environment.ProcessorCount} cores");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start-up in this process (build output, JIT; as deployed: the startup form) to /readyz healthy: {startup.TotalMilliseconds:0} ms"));
        MeasureParts(factory.Services);
        await MeasureClicksAsync(emulator, bot, clicks, TimeSpan.FromSeconds(steadySeconds));
        File.Delete(database);
        return 0;
    }

    /// <summary>The in-process parts of a click: checking our action token and rendering the refreshed card.</summary>
    private static void MeasureParts(IServiceProvider services)
    {
        var tokens = services.GetRequiredService<ActionTokens>();
        var composer = services.GetRequiredService<CardComposer>();
        var token = tokens.Issue(Guid.NewGuid(), "klaus.schmidt@contoso.example", OwnerAnswer.Expected);
        Report("action token: issue", 20_000, () => tokens.Issue(Guid.NewGuid(), "klaus.schmidt@contoso.example", OwnerAnswer.NotExpected));
        Report("action token: validate", 20_000, () => tokens.Validate(token, out _));
        Report("click handler: resolved in a request scope", 20_000, () =>
        {
            using var scope = services.CreateScope();
            scope.ServiceProvider.GetRequiredService<OutlookActionHandler>();
        });

        var model = new CardModel
        {
            QuestionId = Guid.NewGuid().ToString(),
            Incident = new CardIncident("4711", "PLC programming mode change on HH-PLC-LINE3-01", "Medium", new Uri("https://portal.azure.com/#incident"), DateTimeOffset.UtcNow),
            Devices = [new CardDevice("HH-PLC-LINE3-01", "PLC", "Siemens", "S7-1500", "10.20.3.11", "00:1B:1B:AA:10:01", "Hamburg", "Line 3", "sensor-hh-1")],
            Recipient = new CardRecipient("de-DE", "Europe/Berlin"),
            Outcome = new CardOutcome(CardOutcomeKind.Answered, DateTimeOffset.UtcNow, "yes", "Klaus Schmidt", CardChannel.Email),
        };
        Report("card: render answered e-mail card", 5_000, () => composer.Compose(CardKind.OwnerAnswered, CardChannel.Email, model).ToJson());
    }

    /// <summary>End to end over loopback: each owner clicks Yes once; then each clicks again (the "already answered" path).</summary>
    private static async Task MeasureClicksAsync(EmulatorServer emulator, HttpClient bot, int clicks, TimeSpan steadyFor)
    {
        using var admin = new HttpClient { BaseAddress = emulator.BaseUri };
        var intake = emulator.MintToken(new TokenRequest { Audience = LocalMode.LocalIntakeAudience });
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < clicks; i++)
        {
            var raised = (await (await admin.PostAsJsonAsync("admin/incidents", new { sample = "plc-programming-mode" })).Content.ReadFromJsonAsync<JsonObject>())!;
            using var post = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = JsonContent.Create(raised["triggerPayload"]) };
            post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", intake);
            (await bot.SendAsync(post)).EnsureSuccessStatusCode();
        }

        const string owner = "klaus.schmidt@contoso.example";
        JsonArray messages;
        do
        {
            await Task.Delay(200);
            messages = (await admin.GetFromJsonAsync<JsonObject>($"admin/mailboxes/{owner}"))!["messages"]!.AsArray();
        } while (messages.Count < clicks && stopwatch.Elapsed < TimeSpan.FromMinutes(5));
        Console.WriteLine($"{messages.Count} incidents posted and e-mailed in {stopwatch.Elapsed.TotalSeconds:0.0} s (intake, owner resolution, Graph send, comments, all as durable work)");

        var user = emulator.MintToken(new TokenRequest { Kind = TokenKind.User, User = owner, Audience = OutlookDefaults.AppIdUri, Scopes = OutlookDefaults.Scope });
        var bodies = messages.Select(m =>
        {
            var card = OutlookClick.ParseCard((string)m!["body"]!)!;
            var yes = card["actions"]!.AsArray().First(a => (string?)a!["type"] == "Action.Http")!;
            return (Url: (string)yes["url"]!, Body: (string)yes["body"]!);
        }).ToList();

        foreach (var pass in new[] { "first click (records the answer)", "second click (already answered)" })
        {
            var times = new List<double>(bodies.Count);
            foreach (var (url, body) in bodies)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user);
                request.Headers.Add("Action-Request-Id", Guid.NewGuid().ToString());
                var started = Stopwatch.GetTimestamp();
                using var response = await bot.SendAsync(request);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"click failed: {(int)response.StatusCode}");
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"click, {pass}: n={times.Count} p50={Percentile(times, 0.50):0.0} ms p90={Percentile(times, 0.90):0.0} ms p99={Percentile(times, 0.99):0.0} ms max={times[^1]:0.0} ms"));
        }

        // Steady clicks (answered questions: the refreshed card) at 32 concurrent, against a bare endpoint that answers
        // the same card in the same process: the ratio is the click path's cost over the floor.
        const int concurrency = 32;
        var (clickUrl, clickBody) = bodies[0];
        HttpRequestMessage Click()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, clickUrl) { Content = new StringContent(clickBody, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user);
            request.Headers.Add("Action-Request-Id", Guid.NewGuid().ToString());
            return request;
        }
        using var sample = await bot.SendAsync(Click());
        var card = await sample.Content.ReadAsStringAsync();
        Console.WriteLine($"steady rounds start (pid {Environment.ProcessId})");
        var steady = await ClickLoad.RunAsync(bot, Click, concurrency, SteadyWarmUp, steadyFor);
        var (bare, bareClient) = await ClickLoad.StartBareAsync(card, FreePort());
        await using (bare)
        using (bareClient)
        {
            var floor = await ClickLoad.RunAsync(bareClient,
                () => new HttpRequestMessage(HttpMethod.Post, "bare") { Content = new StringContent(clickBody, Encoding.UTF8, "application/json") },
                concurrency, SteadyWarmUp, steadyFor);
            Console.WriteLine($"steady click (Outlook, answered question), {concurrency} concurrent: {steady}");
            Console.WriteLine($"bare endpoint (same card, same process), {concurrency} concurrent: {floor}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steady click ÷ bare: throughput {steady.PerSecond / floor.PerSecond:0.000}, CPU per request above the floor {steady.CpuMsPerRequest - floor.CpuMsPerRequest:0.000} ms, allocated above the floor {(steady.BytesPerRequest - floor.BytesPerRequest) / 1024.0:0.0} KB"));
        }
    }

    /// <summary>Each steady round first runs this long unmeasured: the JIT's tiered recompilation of the hot path takes seconds.</summary>
    private static readonly TimeSpan SteadyWarmUp = TimeSpan.FromSeconds(10);

    private static void Report(string name, int iterations, Action action)
    {
        for (var i = 0; i < Math.Min(1000, iterations / 10); i++) action();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++) action();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {elapsed.TotalMicroseconds / iterations:0.0} µs/op, {bytes} B allocated/op ({iterations} ops)"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
