using IoTOwnerBot.Sentinel;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Sentinel;

public sealed class SentinelClientTests : IntegrationTest
{
    private SentinelClient Client => Bot.Services.GetRequiredService<SentinelClient>();

    private static IncidentRef Ref(EmulatorAdmin.RaisedIncident incident) =>
        IncidentRef.TryParse(incident.ArmId, out var r) ? r : throw new InvalidOperationException(incident.ArmId);

    [Fact]
    public async Task Update_ChangesOnlyTheFieldsItMeansTo()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        var before = (await Client.GetIncidentAsync(Ref(incident), default))!;

        var after = await Client.UpdateIncidentAsync(Ref(incident), p => p with
        {
            Status = "Active",
            Labels = [.. p.Labels ?? [], new IncidentLabel { LabelName = "IoT owner: not expected" }],
        }, default);

        Assert.NotNull(after);
        var stored = (await Client.GetIncidentAsync(Ref(incident), default))!.Properties;
        Assert.Equal("Active", stored.Status);
        Assert.Equal(before.Properties.Title, stored.Title);
        Assert.Equal(before.Properties.Description, stored.Description);
        Assert.Equal(before.Properties.Severity, stored.Severity);
        Assert.Equal(before.Properties.IncidentNumber, stored.IncidentNumber);
        Assert.Contains(stored.Labels!, l => l.LabelName == "IoT owner: not expected");
        Assert.Equal((before.Properties.Labels?.Count ?? 0) + 1, stored.Labels!.Count);
        Assert.NotEqual(before.Etag, (await Client.GetIncidentAsync(Ref(incident), default))!.Etag);
    }

    [Fact]
    public async Task Update_OnConflict_RereadsAndRetriesToSuccess()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        await Admin.ClearRequestsAsync();
        await Admin.FaultAsync("/incidents/" + incident.Name, 409, times: 2, method: "PUT");

        await Client.UpdateIncidentAsync(Ref(incident), p => p with { Severity = "High" }, default);

        Assert.Equal("High", (await Client.GetIncidentAsync(Ref(incident), default))!.Properties.Severity);
        var puts = (await Admin.RequestsAsync("/incidents/" + incident.Name)).Where(r => r.Method == "PUT").ToList();
        Assert.Equal([409, 409, 200], puts.Select(p => p.Status));
    }

    [Fact]
    public async Task Update_WithARealStaleEtag_IsReappliedOnTheNewerVersion()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        var writes = 0;

        await Client.UpdateIncidentAsync(Ref(incident), p =>
        {
            // Someone else writes between our read and our write, the first time only.
            if (writes++ == 0)
                Client.UpdateIncidentAsync(Ref(incident), q => q with { Description = "edited by an analyst" }, default).GetAwaiter().GetResult();
            return p with { Severity = "High" };
        }, default);

        var stored = (await Client.GetIncidentAsync(Ref(incident), default))!.Properties;
        Assert.Equal("High", stored.Severity);
        Assert.Equal("edited by an analyst", stored.Description);
        Assert.Equal(2, writes);
    }

    [Fact]
    public async Task Throttling_IsLeftToTheDurableRetry_WithTheServersRetryAfter()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        await Admin.ClearRequestsAsync();
        await Admin.FaultAsync("/comments/", 429, times: 1, method: "PUT", retryAfterSeconds: 2);

        // A 429 is not retried inside the call (that would hold a worker and multiply requests): the work item is
        // rescheduled for the time the server named.
        var error = await Assert.ThrowsAsync<SentinelException>(() => Client.AddCommentAsync(Ref(incident), Guid.NewGuid(), "hello", default));

        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
        Assert.Equal([429], (await Admin.RequestsAsync("/comments/")).Select(p => p.Status));
    }

    [Fact]
    public async Task CommentWithTheSameId_IsWrittenOnce()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        var id = Guid.NewGuid();

        await Client.AddCommentAsync(Ref(incident), id, "once", default);
        await Client.AddCommentAsync(Ref(incident), id, "once", default);

        Assert.Single(await Admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task ListIncidents_FollowsNextLinks()
    {
        for (var i = 0; i < 5; i++) await Admin.RaiseAsync(Samples.PlcProgramming);
        var workspace = new WorkspaceOptions
        {
            SubscriptionId = Emulator.Workspace.SubscriptionId, ResourceGroup = Emulator.Workspace.ResourceGroupName,
            WorkspaceName = Emulator.Workspace.WorkspaceName, WorkspaceId = Emulator.Workspace.WorkspaceId,
        };

        var listed = new List<IncidentResource>();
        await foreach (var item in Client.ListIncidentsByLastModifiedAsync(workspace, pageSize: 2, default)) listed.Add(item);

        Assert.True(listed.Count >= 5);
        Assert.Equal(listed.Count, listed.Select(i => i.Name).Distinct().Count());
        Assert.True(listed.Zip(listed.Skip(1)).All(p => p.First.Properties.LastModifiedTimeUtc >= p.Second.Properties.LastModifiedTimeUtc));
        Assert.True((await Admin.RequestsAsync("skipToken")).Count >= 2);
    }
}
