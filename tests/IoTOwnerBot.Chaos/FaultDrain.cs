using System.Text.Json.Nodes;

namespace IoTOwnerBot.Chaos;

/// <summary>
/// The fault drain: for a while, a share of every request to Microsoft's emulated endpoints (Sentinel, Graph, Teams,
/// Log Analytics, Entra, the Bot Framework keys) fails in the ways the real ones do — 429 with Retry-After, 503, a slow
/// answer, a dropped connection, an act-then-fail ("sent, but unsure", answered 503 or dropped), and 409 on an
/// incident's PUT — then the faults are cleared and the service must catch up.
/// </summary>
public sealed class FaultDrain(EmulatorHost emulator, double share)
{
    private static readonly string[] Endpoints = ["/arm/", "/graph/", "/teams/", "/loganalytics/", "/entra/", "/botframework/"];

    private static readonly JsonObject[] Kinds =
    [
        new() { ["status"] = 429, ["retryAfterSeconds"] = 1 },
        new() { ["status"] = 503 },
        new() { ["delayMs"] = 1500 },
        new() { ["drop"] = true },
        new() { ["status"] = 503, ["actFirst"] = true },
        new() { ["drop"] = true, ["actFirst"] = true },
    ];

    /// <summary>Chance of each rule, so that a request meets one fault with probability <c>share</c> overall.</summary>
    private readonly double _perRule = 1 - Math.Pow(1 - share, 1.0 / Kinds.Length);

    public bool Active { get; private set; }

    public async Task StartAsync()
    {
        if (share <= 0) return;
        foreach (var endpoint in Endpoints)
        foreach (var kind in Kinds)
        {
            var rule = (JsonObject)kind.DeepClone();
            rule["pathContains"] = endpoint;
            rule["times"] = int.MaxValue;
            rule["probability"] = _perRule;
            await emulator.AddFaultAsync(rule);
        }
        Active = true;
    }

    /// <summary>The Sentinel conflict of a stale etag on this incident's PUT (its path only, not its comments').</summary>
    public async Task AddConflictsAsync(string incidentName)
    {
        if (!Active) return;
        await emulator.AddFaultAsync(new JsonObject
        {
            ["pathContains"] = $"/incidents/{incidentName}?", ["method"] = "PUT", ["status"] = 409, ["times"] = int.MaxValue, ["probability"] = share,
        });
    }

    public async Task StopAsync()
    {
        if (!Active) return;
        Active = false;
        await emulator.ClearFaultsAsync();
    }
}
