using System.Net;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>The service as a real process, killed with SIGKILL while it works, then started again.</summary>
[Collection(ServiceProcesses.Name)]
public sealed class CrashTests : IAsyncLifetime, IDisposable
{
    private EmulatorServer _emulator = null!;
    private EmulatorAdmin _admin = null!;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _emulator = await EmulatorServer.StartAsync();
        _admin = new EmulatorAdmin(_emulator);
    }

    public void Dispose() => _admin.Dispose();

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task KilledWhileWorking_LosesNothing_AndRepeatsNoSideEffect()
    {
        var incidents = new List<EmulatorAdmin.RaisedIncident>();
        for (var i = 0; i < 8; i++) incidents.Add(await _admin.RaiseAsync(Samples.PlcProgramming));
        // Slow Sentinel down so the kill lands while comments and intakes are in flight.
        await _admin.FaultAsync("/comments/", status: null, times: 1000, delayMs: 150);
        await _admin.FaultAsync("/incidents/", status: null, times: 1000, method: "GET", delayMs: 100);

        var token = _emulator.MintToken(new TokenRequest { Audience = LocalMode.LocalIntakeAudience });
        using (var first = await BotProcess.StartAsync(_emulator, _database))
        {
            foreach (var incident in incidents)
            {
                using var response = await first.PostAsync(incident.TriggerPayload, token);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
            await first.WaitForCommentsAsync(_admin, incidents, atLeast: 1);
            first.Kill();
        }

        await _admin.ClearFaultsAsync();
        using (var second = await BotProcess.StartAsync(_emulator, _database))
        {
            await second.WaitForCommentsAsync(_admin, incidents, atLeast: incidents.Count);
            // Posting again after the restart changes nothing.
            foreach (var incident in incidents)
            {
                using var response = await second.PostAsync(incident.TriggerPayload, token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        foreach (var incident in incidents) CommentAssert.OneIntroAndNoDuplicates(await _admin.CommentsAsync(incident.Name));
        Assert.Equal(incidents.Count, await _database.ScalarAsync("SELECT COUNT(*) FROM questions"));
    }
}
