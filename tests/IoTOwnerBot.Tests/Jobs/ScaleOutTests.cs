using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Limits;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>
/// Two instances of the service on one store, no leader: an incident storm with the owner's clicks, and one instance
/// killed in the middle of it. Every side effect (question, e-mail, comment, incident update) happens exactly once.
/// </summary>
[LongRun]
public sealed class ScaleOutTests : IAsyncLifetime, IDisposable
{
    private const int Storm = 500;
    private const string Klaus = "klaus.schmidt@contoso.example";

    /// <summary>
    /// Exchange's 30 messages a minute per mailbox would spread 500 e-mails over 17 minutes: the storm is sent from a
    /// pool of mailboxes (as a SOC expecting storms would configure), so it takes seconds and every limit still holds.
    /// </summary>
    private static readonly string[] SenderPool = [.. Enumerable.Range(1, 40).Select(i => $"iot-sender-{i:00}@contoso.example")];
    private EmulatorServer _emulator = null!;
    private EmulatorAdmin _admin = null!;
    private OutlookClient _outlook = null!;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync();
        _admin = new EmulatorAdmin(_emulator);
        _outlook = new OutlookClient(_emulator);
        _database = await TestDatabase.CreateAsync();
        foreach (var sender in SenderPool)
            await _admin.UpsertUserAsync(new { userPrincipalName = sender, mail = sender, displayName = $"IoT owner bot ({sender[..13]})" });
        // ARM lets one principal write 10 times a second after a burst of 200: the storm's ~2,000 comment and incident
        // writes would take minutes whatever the instances do. This test is about every effect once across instances,
        // so the write bucket is ten times Azure's here, and the service is told so (Sentinel:Arm); it still honours
        // every 429 it meets.
        _emulator.Limits.Limits = new ProviderLimits { Arm = new ArmLimits { WriteBucket = 2_000, WritesPerSecond = 100 } };
    }

    public void Dispose()
    {
        _outlook.Dispose();
        _admin.Dispose();
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TwoInstances_AStormWithClicks_EverySideEffectOnce()
    {
        await using var first = await BotHost.StartAsync(_emulator, _database, Quiet);
        await using var second = await BotHost.StartAsync(_emulator, _database, Quiet);

        var incidents = await RaiseStormAsync();
        // Behind a load balancer: the incidents arrive at either instance.
        await PostAllAsync(incidents, i => i % 2 == 0 ? first.Client : second.Client);
        await first.WaitForIdleAsync(TimeSpan.FromMinutes(5));

        // Each e-mail's buttons call the instance that sent it, so the clicks are served by both.
        await ClickEveryQuestionAsync();
        await first.WaitForIdleAsync(TimeSpan.FromMinutes(5));

        await AssertEverythingOnceAsync(incidents);
        var senders = await first.QueryAsync(db => db.Timeline.Where(t => t.Kind == OutlookTimeline.DeliverySent || t.Kind == OutlookTimeline.DeliverySentInDigest).CountAsync());
        Assert.Equal(Storm, senders);
    }

    [Fact]
    public async Task OneOfTwoInstancesKilledMidStorm_TheOtherFinishesEverything_Once()
    {
        await using var survivor = await BotHost.StartAsync(_emulator, _database, Quiet);
        var incidents = await RaiseStormAsync();
        // The load balancer's address is the survivor's, so e-mails sent by either instance stay clickable.
        using (var doomed = await BotProcess.StartAsync(_emulator, _database, s =>
               {
                   Quiet(s);
                   s["Service:PublicBaseUrl"] = survivor.BaseAddress.ToString().TrimEnd('/');
               }))
        {
            var token = IntakeToken();
            await PostAllAsync(incidents, _ => survivor.Client, (i, body) => i % 2 == 0 ? doomed.PostAsync(body, token) : null);
            // Mid-storm: some questions are out, much is claimed or waiting. SIGKILL: no hand-back, no finally blocks.
            await survivor.WaitForAsync(db => db.Timeline.CountAsync(t => t.Kind == OutlookTimeline.DeliverySent || t.Kind == OutlookTimeline.DeliverySentInDigest).ContinueWith(t => t.Result >= Storm / 5),
                "a fifth of the e-mails sent", TimeSpan.FromMinutes(5));
            doomed.Kill();
        }

        // The dead instance's leases run out (Jobs:Lease) and the survivor takes its work over.
        await survivor.WaitForIdleAsync(TimeSpan.FromMinutes(5));
        await ClickEveryQuestionAsync();
        await survivor.WaitForIdleAsync(TimeSpan.FromMinutes(5));

        await AssertEverythingOnceAsync(incidents);
    }

    [Fact]
    public async Task ASecondLocalInstance_WithLocalEmulatorUrl_WorksAgainstTheFirstOnesEmulator()
    {
        // The local composition (dotnet run --project src/IoTOwnerBot.Local), with nothing pointing at the emulator but its address.
        await using var bot = await BotHost.StartLocalAsync(_emulator, _database, s =>
        {
            foreach (var key in s.Keys.Where(k => k.StartsWith("Cloud:", StringComparison.Ordinal) || k.StartsWith("Sentinel:Workspaces", StringComparison.Ordinal)
                                                  || k.StartsWith("Bot:", StringComparison.Ordinal) || k == "Credentials:TenantId").ToList())
                s.Remove(key);
            s["Local:StartEmulator"] = "true";
            s["Local:EmulatorUrl"] = _emulator.Base;
        });
        var incident = await _admin.RaiseAsync(Samples.PlcProgramming);

        using var response = await SendAsync(bot.Client, incident.TriggerPayload, IntakeToken(), default);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await bot.WaitForAsync(db => db.Timeline.AnyAsync(t => t.Kind == OutlookTimeline.DeliverySent), "the e-mail sent");
        await bot.WaitForIdleAsync();

        Assert.Single(await _outlook.InboxAsync(Klaus));
        CommentAssert.OneIntroAndNoDuplicates(await _admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task TheProductionService_InLocalModeWithNoEmulator_RefusesToStart_AndSaysWhatToRun()
    {
        // The published service does not carry the emulator: local mode there is a mistake, said at start.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => BotHost.StartAsync(_emulator, _database, s => s["Local:StartEmulator"] = "true"));
        Assert.Contains("dotnet run --project src/IoTOwnerBot.Local", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A storm on a busy machine: a lease long enough that a slow but live worker keeps its items (renewed every third
    /// of it), short enough that a dead instance's items are taken over within the test.
    /// </summary>
    private static void Quiet(Dictionary<string, string?> settings)
    {
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Jobs:Lease"] = "00:00:15";
        settings["Sentinel:Arm:WriteBucket"] = "2000";
        settings["Sentinel:Arm:WritesPerSecond"] = "100";
        for (var i = 0; i < SenderPool.Length; i++) settings[$"Outlook:SenderMailboxes:{i}"] = SenderPool[i];
    }

    private async Task<List<EmulatorAdmin.RaisedIncident>> RaiseStormAsync()
    {
        var incidents = new List<EmulatorAdmin.RaisedIncident>(Storm);
        for (var i = 0; i < Storm; i++) incidents.Add(await _admin.RaiseAsync(Samples.PlcProgramming));
        return incidents;
    }

    private string IntakeToken() => _emulator.MintToken(new TokenRequest { Audience = LocalMode.LocalIntakeAudience, Kind = TokenKind.App });

    /// <summary>Posts every incident's trigger, eight at a time, to the instance <paramref name="route"/> picks.</summary>
    private async Task PostAllAsync(List<EmulatorAdmin.RaisedIncident> incidents, Func<int, HttpClient?> route,
        Func<int, JsonObject, Task<HttpResponseMessage>?>? other = null)
    {
        var token = IntakeToken();
        await Parallel.ForEachAsync(Enumerable.Range(0, incidents.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var body = incidents[i].TriggerPayload;
            // The Logic App forwarder retries a 5xx (intake is idempotent on the incident), so a storm test does too.
            for (var attempt = 1; ; attempt++)
            {
                using var response = await (other?.Invoke(i, body) ?? SendAsync(route(i), body, token, ct));
                if ((int)response.StatusCode >= 500 && attempt < 4) continue;
                Assert.True(response.StatusCode == HttpStatusCode.Accepted || (attempt > 1 && response.StatusCode == HttpStatusCode.OK),
                    $"intake answered {(int)response.StatusCode}");
                break;
            }
        });
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient? client, JsonObject body, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = JsonContent.Create(body.DeepClone()) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, ct);
    }

    private async Task ClickEveryQuestionAsync()
    {
        var inbox = await _outlook.InboxAsync(Klaus);
        Assert.Equal(Storm, inbox.Count);
        await Parallel.ForEachAsync(inbox, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (mail, _) =>
        {
            var click = await _outlook.ClickAsync(Klaus, 0, Klaus, messageId: mail.Id);
            Assert.Equal(200, click.Status);
        });
    }

    private async Task AssertEverythingOnceAsync(List<EmulatorAdmin.RaisedIncident> incidents)
    {
        Assert.Equal(Storm, await _database.ScalarAsync("SELECT COUNT(*) FROM questions"));
        // One e-mail per incident: each delivery id once in the owner's inbox.
        var inbox = await _outlook.InboxAsync(Klaus);
        Assert.Equal(Storm, inbox.Select(m => m.Headers[OutlookMailer.DeliveryHeader]).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Storm, inbox.Count);
        foreach (var incident in incidents)
        {
            var comments = await _admin.CommentsAsync(incident.Name);
            CommentAssert.OneIntroAndNoDuplicates(comments);
            var properties = (await _admin.IncidentAsync(incident.Name))["incident"]!["properties"]!;
            Assert.Equal("Closed", (string?)properties["status"]);
            Assert.Single(properties["labels"]!.AsArray(), l => (string?)l!["labelName"] == "IoT owner: expected");
        }
    }
}
