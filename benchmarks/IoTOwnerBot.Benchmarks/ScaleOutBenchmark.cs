using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Local;
using IoTOwnerBot.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IoTOwnerBot.Benchmarks;

/// <summary>
/// Figures for several instances on one store: click → answer recorded and refreshed card returned (p50/p99) on SQLite and
/// PostgreSQL, idle and while a storm of incidents is being worked (one at a time, then <c>concurrency</c> at a time); and a storm's throughput (e-mails sent per second)
/// with one and with two instances on PostgreSQL.
/// Run: <c>dotnet run -c Release --project benchmarks/IoTOwnerBot.Benchmarks -- scaleout [clicks=200] [storm=2000] [concurrency=32] [stores=Sqlite,PostgreSql]</c>
/// (PostgreSQL from <c>IOTOWNERBOT_BENCH_POSTGRES</c>, default the local test server of <c>.ci/postgres</c>).
/// </summary>
internal static class ScaleOutBenchmark
{
    private const string Owner = "klaus.schmidt@contoso.example";
    private const int RaisedBudget = 10_000;
    private const string DefaultServer = "Host=127.0.0.1;Port=5432;Username=iotownerbot_test;Password=iotownerbot_test;Database=postgres";

    public static async Task<int> RunAsync(string[] args)
    {
        var clicks = Arg(args, "clicks", 200);
        var storm = Arg(args, "storm", 2000);
        var concurrency = Arg(args, "concurrency", 32);
        Console.WriteLine($"IoTOwnerBot scale-out benchmark: {clicks} clicks, storm of {storm} incidents, loopback HTTP, {Environment.ProcessorCount} cores");
        Console.WriteLine($"(ARM's and Log Analytics' budgets raised to {RaisedBudget} a second: the figures are the service's, not one subscription's ARM budget)");
        var stores = args.Select(a => a.Split('=')).Where(p => p is ["stores", _]).Select(p => p[1].Split(',')).FirstOrDefault(["Sqlite", "PostgreSql"]);
        foreach (var store in stores)
        {
            await using var world = await World.StartAsync(store, instances: 1);
            // Warm-up: a round of clicks the figures leave out, then until the JIT's background recompilation is done.
            await ClickAsync(world, await PrepareQuietCardsAsync(world, clicks), $"{store}, warm-up", concurrency);
            var idle = await PrepareCardsAsync(world, clicks);
            await world.WaitQuietAsync();
            await WaitForCalmCpuAsync(store);
            await ClickAsync(world, idle, $"{store}, idle");
            await world.WaitQuietAsync();
            await ClickAsync(world, await PrepareQuietCardsAsync(world, clicks), $"{store}, idle", concurrency);
            var prepared = await PrepareCardsAsync(world, clicks);
            var concurrent = await PrepareCardsAsync(world, clicks);
            var storming = RunStormAsync(world, storm);
            await ClickAsync(world, concurrent, $"{store}, during a {storm}-incident storm", concurrency);
            await ClickAsync(world, prepared, $"{store}, during a {storm}-incident storm");
            var (seconds, emails) = await storming;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storm, {store}, 1 instance: {emails} e-mails in {seconds:0.0} s = {emails / seconds:0.0} e-mails/s"));
        }
        if (!stores.Contains("PostgreSql")) return 0;
        await using (var two = await World.StartAsync("PostgreSql", instances: 2))
        {
            var (seconds, emails) = await RunStormAsync(two, storm);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storm, PostgreSql, 2 instances: {emails} e-mails in {seconds:0.0} s = {emails / seconds:0.0} e-mails/s"));
        }
        return 0;
    }

    private static int Arg(string[] args, string name, int fallback) =>
        args.Select(a => a.Split('=')).Where(p => p.Length == 2 && p[0] == name).Select(p => int.Parse(p[1], CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

    /// <summary>Waits (at most a minute) until the process uses under 5 % of a core with nothing due; prints what it used.</summary>
    private static async Task WaitForCalmCpuAsync(string store)
    {
        double perSecond = 0;
        for (var i = 0; i < 30; i++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            await Task.Delay(TimeSpan.FromSeconds(2));
            perSecond = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds / 2;
            if (perSecond < 50) break;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store}, nothing due: the process uses {perSecond:0} ms of CPU a second"));
    }

    private static async Task<List<(string Url, string Body)>> PrepareQuietCardsAsync(World world, int count)
    {
        var cards = await PrepareCardsAsync(world, count);
        await world.WaitQuietAsync();
        return cards;
    }

    /// <summary>Raises incidents and waits for their e-mails; returns each card's "yes" button.</summary>
    private static async Task<List<(string Url, string Body)>> PrepareCardsAsync(World world, int count)
    {
        var before = await world.InboxCountAsync();
        await world.RaiseAndPostAsync(count);
        await world.WaitForInboxAsync(before + count);
        var messages = await world.InboxAsync();
        return [.. messages.Skip(before).Select(m =>
        {
            var card = OutlookClick.ParseCard((string)m!["body"]!)!;
            var yes = card["actions"]!.AsArray().First(a => (string?)a!["type"] == "Action.Http")!;
            return (Url: (string)yes["url"]!, Body: (string)yes["body"]!);
        })];
    }

    /// <summary>Clicks every button once, <paramref name="concurrency"/> at a time; prints latency and first answers per second.</summary>
    private static async Task ClickAsync(World world, List<(string Url, string Body)> buttons, string label, int concurrency = 1)
    {
        var user = world.Emulator.MintToken(new TokenRequest { Kind = TokenKind.User, User = Owner, Audience = OutlookDefaults.AppIdUri, Scopes = OutlookDefaults.Scope });
        Console.WriteLine($"round starts: {label}, {concurrency} at a time (pid {Environment.ProcessId})");
        var times = new double[buttons.Count];
        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes();
        var writer = world.Writer.Usage;
        var all = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, buttons.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var (url, body) = buttons[i];
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user);
            request.Headers.Add("Action-Request-Id", Guid.NewGuid().ToString());
            var started = Stopwatch.GetTimestamp();
            using var response = await world.Http.SendAsync(request, ct);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"click failed: {(int)response.StatusCode}");
        });
        var seconds = Stopwatch.GetElapsedTime(all).TotalSeconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / buttons.Count;
        var kb = (GC.GetTotalAllocatedBytes() - bytes) / 1024.0 / buttons.Count;
        var sorted = times.Order().ToList();
        var (held, turns) = world.Writer.Usage;
        var writerShare = turns == writer.Turns ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; SQLite's writer held {(held - writer.Held).TotalSeconds / seconds:P0} of the round, {(held - writer.Held).TotalMilliseconds / (turns - writer.Turns):0.00} ms a turn, {turns - writer.Turns} turns");
        // CPU and allocation are the whole process's over the round divided by the clicks: the client, the emulator and
        // whatever else runs meanwhile (the storm, the incident updates the answers set off) are included.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"click → answer, {label}, {concurrency} at a time: n={sorted.Count} p50={Percentile(sorted, 0.50):0.0} ms p99={Percentile(sorted, 0.99):0.0} ms max={sorted[^1]:0.0} ms, {sorted.Count / seconds:0} first answers/s, process CPU {cpuMs:0.00} ms and {kb:0} KB allocated per click{writerShare}"));
    }

    /// <summary>Posts a storm (spread over the instances) and times it until every e-mail is in the owner's inbox.</summary>
    private static async Task<(double Seconds, int Emails)> RunStormAsync(World world, int storm)
    {
        var before = await world.InboxCountAsync();
        var started = Stopwatch.GetTimestamp();
        await world.RaiseAndPostAsync(storm);
        await world.WaitForInboxAsync(before + storm);
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, storm);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>An emulator, a fresh store and one or more instances of the service on it.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly List<WebApplicationFactory<Program>> _instances = [];
        private readonly List<HttpClient> _clients = [];
        private readonly HttpClient _admin;
        private readonly Action _drop;
        private string _intake = "";

        private World(EmulatorServer emulator, Action drop)
        {
            Emulator = emulator;
            _admin = new HttpClient { BaseAddress = emulator.BaseUri, Timeout = TimeSpan.FromMinutes(5) };
            _drop = drop;
        }

        public EmulatorServer Emulator { get; }

        /// <summary>The first instance's SQLite writer (a PostgreSQL store has none in use).</summary>
        public SqliteWriteGate Writer => _instances[0].Services.GetRequiredService<SqliteWriteGate>();
        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(1) };

        public static async Task<World> StartAsync(string store, int instances)
        {
            var emulator = await EmulatorServer.StartAsync();
            // This measures the service: a storm is not left waiting on one subscription's ARM budget (10 writes a
            // second) or Log Analytics' query rate, as if its incidents came from many subscriptions. Exchange's and
            // Graph's limits stay as Microsoft's (a pool of sender mailboxes carries the storm's e-mail).
            emulator.Limits.Limits = emulator.Limits.Limits with
            {
                Arm = new() { ReadBucket = RaisedBudget, ReadsPerSecond = RaisedBudget, WriteBucket = RaisedBudget, WritesPerSecond = RaisedBudget, DeleteBucket = RaisedBudget, DeletesPerSecond = RaisedBudget },
                LogAnalytics = new() { Enabled = false },
            };
            string connection;
            Action drop;
            if (store == "Sqlite")
            {
                var path = Path.Combine(Path.GetTempPath(), $"iotownerbot-bench-{Guid.NewGuid():N}.db");
                connection = $"Data Source={path}";
                drop = () => { foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(f); };
            }
            else
            {
                var server = Environment.GetEnvironmentVariable("IOTOWNERBOT_BENCH_POSTGRES") is { Length: > 0 } s ? s : DefaultServer;
                var name = $"iotownerbot_bench_{Guid.NewGuid():N}";
                Execute(server, $"CREATE DATABASE \"{name}\"");
                connection = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
                drop = () => Execute(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            }
            var world = new World(emulator, drop)
            {
                _intake = emulator.MintToken(new TokenRequest { Audience = LocalMode.LocalIntakeAudience }),
            };
            for (var i = 0; i < instances; i++) world.AddInstance(store, connection, instances);
            return world;
        }

        private static void Execute(string server, string sql)
        {
            using var c = new NpgsqlConnection(server);
            c.Open();
            using var command = new NpgsqlCommand(sql, c);
            command.ExecuteNonQuery();
        }

        private void AddInstance(string store, string connection, int instances)
        {
            var port = BenchmarkProgram.FreePort();
            var settings = LocalMode.ConfigurationFor(Emulator);
            settings["Local:StartEmulator"] = "false";
            settings["Storage:Provider"] = store;
            settings["Storage:ConnectionString"] = connection;
            settings["Jobs:Instances"] = instances.ToString(CultureInfo.InvariantCulture);
            settings["Sentinel:Poller:Enabled"] = "false";
            foreach (var bucket in new[] { "ReadBucket", "ReadsPerSecond", "WriteBucket", "WritesPerSecond" })
                settings[$"Sentinel:Arm:{bucket}"] = RaisedBudget.ToString(CultureInfo.InvariantCulture);
            settings["Digest:Window"] = "00:00:00"; // one e-mail per incident
            settings["Outlook:ActionTokenKeys:0:Id"] = "bench";
            settings["Outlook:ActionTokenKeys:0:Secret"] = "benchmark-only-action-token-key-0123456789abcdef";
            settings["Service:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
            settings["urls"] = $"http://127.0.0.1:{port}";
            settings["Logging:LogLevel:Default"] = "Warning";
            settings["Logging:LogLevel:IoTOwnerBot"] = "Error";
            // Storms of thousands of e-mails in seconds: 200 mailboxes × 30 a minute (100 e-mails a second).
            LimitsBenchmark.AddSenderPool(Emulator, settings, 200);
            var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            {
                web.UseContentRoot(AppContext.BaseDirectory);
                web.UseEnvironment("Production"); // as deployed: no developer exception page, no DI scope validation
                foreach (var (key, value) in settings) web.UseSetting(key, value);
            });
            factory.UseKestrel(port);
            factory.StartServer();
            _instances.Add(factory);
            _clients.Add(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(1) });
        }

        /// <summary>Raises incidents in the emulated Sentinel and posts their triggers round-robin to the instances.</summary>
        public async Task RaiseAndPostAsync(int count)
        {
            var raised = new List<JsonNode>(count);
            for (var i = 0; i < count; i++)
                raised.Add((await (await _admin.PostAsJsonAsync("admin/incidents", new { sample = "plc-programming-mode" })).Content.ReadFromJsonAsync<JsonObject>())!["triggerPayload"]!);
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                using var post = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = JsonContent.Create(raised[i]) };
                post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _intake);
                (await _clients[i % _clients.Count].SendAsync(post, ct)).EnsureSuccessStatusCode();
            });
        }

        /// <summary>Waits until no work is due (what earlier rounds set off has run): "idle" means idle.</summary>
        public async Task WaitQuietAsync()
        {
            var services = _instances[0].Services;
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromMinutes(10))
            {
                using (var scope = services.CreateScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
                    var soon = DateTimeOffset.UtcNow.AddSeconds(30);
                    if (!await db.WorkItems.AnyAsync(w => w.Status == WorkStatus.Pending && w.DueAt < soon)) return;
                }
                await Task.Delay(500);
            }
            throw new TimeoutException("work still due after 10 minutes");
        }

        public async Task<int> InboxCountAsync() => (await InboxAsync()).Count;

        public async Task<JsonArray> InboxAsync() => (await _admin.GetFromJsonAsync<JsonObject>($"admin/mailboxes/{Owner}"))!["messages"]!.AsArray();

        public async Task WaitForInboxAsync(int count)
        {
            var deadline = Stopwatch.StartNew();
            while (await InboxCountAsync() < count)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(20)) throw new TimeoutException($"fewer than {count} e-mails after 20 minutes");
                await Task.Delay(500);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients) client.Dispose();
            foreach (var instance in _instances) await instance.DisposeAsync();
            _admin.Dispose();
            Http.Dispose();
            await Emulator.DisposeAsync();
            _drop();
        }
    }
}
