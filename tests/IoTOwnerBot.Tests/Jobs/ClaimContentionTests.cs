using System.Collections.Concurrent;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>
/// Two instances on one store, many workers each, all racing for the same items. The claim is one conditional UPDATE
/// (pending, lease free); on PostgreSQL a second UPDATE of a row waits for the first and re-checks the condition on the
/// committed row, on SQLite writes are serialised, so on both exactly one worker wins each item.
/// </summary>
public sealed class ClaimContentionTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(Guid Item, string Lane, int Index)> _runs = new();
    private readonly ConcurrentDictionary<string, int> _inLane = new();
    private int _maxInLane;
    private EmulatorServer _emulator = null!;
    private TestDatabase _database = null!;
    private BotHost _first = null!;
    private BotHost _second = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync();
        _database = await TestDatabase.CreateAsync();
        _first = await StartInstanceAsync();
        _second = await StartInstanceAsync();
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _database.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    // A lease far longer than the test: what is measured is who wins a claim, not a slow worker's lease running out.
    private Task<BotHost> StartInstanceAsync() => BotHost.StartAsync(_emulator, _database,
        s =>
        {
            s["Jobs:RunWorkers"] = "false";
            s["Jobs:Lease"] = "00:10:00";
        },
        services: s => s.AddKeyedScoped<IWorkHandler>(Payload.Kind, (_, _) => new RecordingHandler(this)));

    [Fact]
    public async Task ManyWorkersOnTwoInstances_RunEveryItemExactlyOnce()
    {
        const int items = 300;
        await EnqueueAsync(_first, Enumerable.Range(0, items).Select(i => ($"item-{i}", (string?)null)));

        // Eight workers per instance, each claiming until nothing is left: every claim races the other fifteen.
        await Task.WhenAll(new[] { _first, _second }.SelectMany(host => Enumerable.Range(0, 8).Select(_ => Task.Run(() => DrainAsync(host)))));

        var perItem = _runs.GroupBy(r => r.Item).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(items, perItem.Count);
        Assert.All(perItem.Values, count => Assert.Equal(1, count));
        Assert.Equal(items, await _first.QueryAsync(db => db.WorkItems.CountAsync(w => w.Status == WorkStatus.Succeeded && w.Attempts == 1)));
    }

    [Fact]
    public async Task ALanesItems_RunOneAtATimeInOrder_AcrossInstances()
    {
        // Enqueued alternately by the two instances, each after the previous one committed.
        var hosts = new[] { _first, _second };
        for (var i = 0; i < 40; i++)
            await EnqueueAsync(hosts[i % 2], [($"lane-a-{i}", "lane-a"), ($"lane-b-{i}", "lane-b")]);

        await Task.WhenAll(hosts.SelectMany(host => Enumerable.Range(0, 6).Select(_ => Task.Run(() => DrainAsync(host)))));

        foreach (var lane in new[] { "lane-a", "lane-b" })
            Assert.Equal(Enumerable.Range(0, 40), _runs.Where(r => r.Lane == lane).Select(r => r.Index));
        Assert.Equal(1, _maxInLane);
    }

    private static async Task EnqueueAsync(BotHost host, IEnumerable<(string Key, string? Lane)> items)
    {
        await host.QueryAsync(async db =>
        {
            foreach (var (key, lane) in items)
                db.Enqueue(key, new Payload(lane ?? "", int.Parse(key[(key.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)),
                    DateTimeOffset.UtcNow.AddSeconds(-1), lane: lane);
            return await db.SaveChangesAsync();
        });
    }

    private static async Task DrainAsync(BotHost host)
    {
        // A worker that found nothing claimable looks again while anything is pending (another worker may hold the lane).
        for (var idle = 0; idle < 2000;)
        {
            if (await host.Dispatcher.RunOneAsync(default)) continue;
            if (!await host.QueryAsync(db => db.WorkItems.AnyAsync(w => w.Status == WorkStatus.Pending))) return;
            idle++;
            await Task.Delay(5);
        }
        throw new Xunit.Sdk.XunitException("work was left pending");
    }

    private sealed record Payload(string Lane, int Index) : IWork
    {
        public static string Kind => "test.record";
    }

    private sealed class RecordingHandler(ClaimContentionTests test) : IWorkHandler
    {
        public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
        {
            var payload = item.ReadPayload<Payload>();
            var inLane = test._inLane.AddOrUpdate(payload.Lane, 1, (_, n) => n + 1);
            lock (test._inLane) test._maxInLane = Math.Max(test._maxInLane, inLane);
            try
            {
                await Task.Delay(1, ct);
                test._runs.Enqueue((item.Id, payload.Lane, payload.Index));
                return WorkResult.Done;
            }
            finally
            {
                test._inLane.AddOrUpdate(payload.Lane, 0, (_, n) => n - 1);
            }
        }
    }
}
