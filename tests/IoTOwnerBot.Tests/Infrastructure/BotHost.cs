using IoTOwnerBot.Emulator;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Local;
using IoTOwnerBot.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>
/// The real service on Kestrel over loopback, configured against an emulator, with its own store (see <see cref="TestDatabase"/>).
/// Several hosts may share one store to play a restart or a second instance.
/// </summary>
public sealed class BotHost : IAsyncDisposable
{
    private readonly IAsyncDisposable _root;
    private readonly IAsyncDisposable _factory;
    private readonly Func<IServiceProvider> _services;

    private readonly bool _ownsDatabase;

    private BotHost(IAsyncDisposable root, IAsyncDisposable factory, Func<IServiceProvider> services, TestDatabase database, bool ownsDatabase, TestLogCollector logs)
    {
        Logs = logs;
        _root = root;
        _factory = factory;
        _services = services;
        Database = database;
        _ownsDatabase = ownsDatabase;
    }

    public TestDatabase Database { get; }
    public TestLogCollector Logs { get; }
    public IServiceProvider Services => _services();
    public HttpClient Client { get; private set; } = null!;
    public Uri BaseAddress => Client.BaseAddress!;

    public static Dictionary<string, string?> DefaultSettings(EmulatorServer emulator, TestDatabase database)
    {
        var settings = LocalMode.ConfigurationFor(emulator);
        settings["Local:StartEmulator"] = "false";
        database.ApplyTo(settings);
        settings["Sentinel:Poller:Enabled"] = "false";
        settings["Jobs:PollInterval"] = "00:00:00.200";
        settings["Jobs:Lease"] = "00:00:03";
        settings["Jobs:FirstRetryDelay"] = "00:00:00.200";
        settings["Jobs:MaxRetryDelay"] = "00:00:01";
        settings["Intake:HmacSecrets:0"] = TestSecrets.IntakeHmacSecret;
        // A fixed key, so cards sent before a restart still verify after it.
        settings["Outlook:ActionTokenKeys:0:Id"] = "test1";
        settings["Outlook:ActionTokenKeys:0:Secret"] = TestSecrets.ActionTokenSecret;
        settings["Outlook:UncertainSendRecheckDelay"] = "00:00:00.200";
        // Questions go out at once, one by one; the digest tests turn the storm window on.
        settings["Digest:Window"] = "00:00:00";
        // The port is chosen up front so Service:PublicBaseUrl (the base of card callbacks) is this host's address.
        var port = FreeLoopbackPort();
        settings["urls"] = $"http://127.0.0.1:{port}";
        settings["Service:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        return settings;
    }

    /// <summary>Starts a host on <paramref name="database"/>, or on a fresh store of its own that it drops when disposed.</summary>
    public static Task<BotHost> StartAsync(EmulatorServer emulator, TestDatabase? database = null,
        Action<Dictionary<string, string?>>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null) =>
        StartAsync<Program>(emulator, database, configure, time, services);

    /// <summary>The same through the local composition root (<c>src/IoTOwnerBot.Local</c>), as <c>dotnet run</c> starts it locally.</summary>
    public static Task<BotHost> StartLocalAsync(EmulatorServer emulator, TestDatabase? database = null,
        Action<Dictionary<string, string?>>? configure = null) =>
        StartAsync<IoTOwnerBot.Local.LocalProgram>(emulator, database, configure, null, null);

    private static async Task<BotHost> StartAsync<TEntryPoint>(EmulatorServer emulator, TestDatabase? database,
        Action<Dictionary<string, string?>>? configure, TimeProvider? time, Action<IServiceCollection>? services)
        where TEntryPoint : class
    {
        var ownsDatabase = database is null;
        database ??= await TestDatabase.CreateAsync();
        var settings = DefaultSettings(emulator, database);
        // On a fake clock a wait inside a request would last until the test moves the clock: a request over ARM's
        // budget goes back to the queue instead, due when its token is there (which SettleAsync follows).
        if (time is Microsoft.Extensions.Time.Testing.FakeTimeProvider) settings["Sentinel:Arm:MaxWait"] = "00:00:00";
        configure?.Invoke(settings);

        try
        {
            return Start<TEntryPoint>(settings, database, ownsDatabase, time, services);
        }
        catch when (ownsDatabase)
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static BotHost Start<TEntryPoint>(Dictionary<string, string?> settings, TestDatabase database, bool ownsDatabase, TimeProvider? time,
        Action<IServiceCollection>? services)
        where TEntryPoint : class
    {
        var chosenUrl = settings["urls"];
        for (var attempt = 1; ; attempt++)
        {
            var logs = new TestLogCollector();
            var root = new WebApplicationFactory<TEntryPoint>();
            var factory = root.WithWebHostBuilder(web =>
            {
                web.ConfigureLogging(l => l.AddProvider(logs));
                if (time is not null) web.ConfigureServices(collection => collection.AddSingleton(time));
                if (services is not null) web.ConfigureServices(services);
                web.UseContentRoot(AppContext.BaseDirectory);
                web.UseEnvironment("Testing");
                foreach (var (key, value) in settings) web.UseSetting(key, value);
            });
            factory.UseKestrel(new Uri(settings["urls"]!).Port);
            try
            {
                factory.StartServer();
                return new BotHost(root, factory, () => factory.Services, database, ownsDatabase, logs) { Client = factory.CreateClient() };
            }
            catch (IOException ex) when (attempt < 5 && ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException
                                         && settings["urls"] == chosenUrl)
            {
                // Another test took the port between choosing and binding it: choose again.
                factory.Dispose();
                root.Dispose();
                var port = FreeLoopbackPort();
                settings["urls"] = chosenUrl = $"http://127.0.0.1:{port}";
                settings["Service:PublicBaseUrl"] = chosenUrl;
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    public WorkDispatcher Dispatcher => Services.GetRequiredService<WorkDispatcher>();

    /// <summary>Reads the store in a fresh scope.</summary>
    public async Task<T> QueryAsync<T>(Func<BotDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<BotDbContext>());
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking after every work attempt of this host
    /// (no fixed sleeps); fails after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForAsync(Func<BotDbContext, Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var attempted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnAttempt(IoTOwnerBot.Jobs.WorkItem _, WorkResult __) => attempted.TrySetResult();
            Dispatcher.Attempted += OnAttempt;
            try
            {
                if (await QueryAsync(condition)) return;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) throw new Xunit.Sdk.XunitException($"Timed out waiting for: {what}. Pending work: {await PendingAsync()}");
                // Work finishing is what changes state; the short cap covers changes made by other instances.
                await Task.WhenAny(attempted.Task, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250, left.TotalMilliseconds))));
            }
            finally
            {
                Dispatcher.Attempted -= OnAttempt;
            }
        }
    }

    /// <summary>
    /// For a service on a fake clock: lets retries and put-off work (an e-mail waiting for its slot in the sender's
    /// budget) happen. Waits until no work is due, moves the clock to the earliest of them, and again, until only
    /// never-attempted later work (expiry, reminders) is left.
    /// </summary>
    public async Task SettleAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, int maxRounds = 100)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            await WaitForAsync(db => db.WorkItems.AllAsync(w => w.Status != WorkStatus.Pending || w.DueAt > clock.GetUtcNow()), "no work due");
            var next = await QueryAsync(db => db.WorkItems.Where(w => w.Status == WorkStatus.Pending && (w.Attempts > 0 || w.LastError != null))
                .Select(w => (DateTimeOffset?)w.DueAt).OrderBy(d => d).FirstOrDefaultAsync());
            if (next is null) return;
            clock.Advance(next.Value - clock.GetUtcNow() + TimeSpan.FromMilliseconds(1));
            Services.GetRequiredService<WorkSignal>().Notify();
        }
        throw new Xunit.Sdk.XunitException($"Work was still being retried after {maxRounds} moves of the clock.");
    }

    /// <summary>The pending work, for a failure message: kind, due time, attempts and last error of the first few.</summary>
    private async Task<string> PendingAsync()
    {
        var pending = await QueryAsync(db => db.WorkItems.AsNoTracking().Where(w => w.Status == WorkStatus.Pending)
            .OrderBy(w => w.DueAt).Take(5).Select(w => new { w.Kind, w.DueAt, w.Attempts, w.LeaseUntil, w.LastError }).ToListAsync());
        var now = Services.GetRequiredService<TimeProvider>().GetUtcNow();
        return pending.Count == 0 ? "none" : string.Join("; ", pending.Select(w =>
            $"{w.Kind} due {(w.DueAt - now).TotalSeconds:0.###} s from now, {w.Attempts} attempt(s){(w.LeaseUntil is null ? "" : ", leased")}: {w.LastError}"));
    }

    /// <summary>Waits until no work item is pending and due by the service's clock (later work, like expiry, waits for its time).</summary>
    public Task WaitForIdleAsync(TimeSpan? timeout = null) =>
        WaitForAsync(db =>
        {
            // Work planned for later and not yet attempted (expiry, a Teams fallback) does not keep the service busy;
            // a retry waiting for its next attempt does, and so does work that was put off (an e-mail waiting for its
            // slot in the sender's budget, a call refused by a breaker): on the system clock its time comes by itself.
            // "Later" is by the service's own clock; on a fake clock it comes only when the test moves the clock.
            var clock = Services.GetRequiredService<TimeProvider>();
            var now = clock.GetUtcNow();
            var putOffIsBusy = clock is not Microsoft.Extensions.Time.Testing.FakeTimeProvider;
            return db.WorkItems.AllAsync(w => w.Status != WorkStatus.Pending || (w.Attempts == 0 && w.DueAt > now && !(putOffIsBusy && w.LastError != null)));
        }, "all due work done", timeout);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await _root.DisposeAsync();
        if (_ownsDatabase) await Database.DisposeAsync();
    }
}

public static class TestSecrets
{
    /// <summary>Test-only shared secret for HMAC-signed intake.</summary>
    public const string IntakeHmacSecret = "test-only-intake-secret-0123456789abcdef";

    /// <summary>Test-only key of the Outlook limited-purpose action tokens.</summary>
    public const string ActionTokenSecret = "test-only-outlook-action-key-0123456789abcdef";
}
