using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>The admin API: raising incidents from samples and resetting the emulator.</summary>
public sealed class AdminApiTests : EmulatorTest
{
    [Fact]
    public async Task AdminRaiseIncident_ReturnsTriggerPayloadInSentinelAutomationShape()
    {
        var raised = await RaiseFullAsync("controllogix-firmware-push");

        var payload = raised["triggerPayload"]!.AsObject();
        Assert.True(Guid.TryParse((string?)payload["eventUniqueId"], out _));
        Assert.Equal("Incident", (string?)payload["objectSchemaType"]);
        Assert.Equal("Create", (string?)payload["objectEventType"]);
        Assert.Equal(Server.Workspace.WorkspaceId, (string?)payload["workspaceId"]);
        Assert.Equal(Server.Workspace.SubscriptionId, (string?)payload["workspaceInfo"]!["SubscriptionId"]);
        Assert.Equal(Server.Workspace.WorkspaceName, (string?)payload["workspaceInfo"]!["WorkspaceName"]);
        var incident = payload["object"]!;
        Assert.EndsWith($"/providers/Microsoft.SecurityInsights/Incidents/{(string?)incident["name"]}", (string?)incident["id"], StringComparison.Ordinal);
        Assert.StartsWith("\"", (string?)incident["etag"], StringComparison.Ordinal);
        var properties = incident["properties"]!;
        var alert = properties["alerts"]![0]!;
        Assert.Equal("Microsoft Defender for IoT", (string?)alert["properties"]!["productName"]);
        Assert.Equal((string?)alert["name"], (string?)alert["properties"]!["systemAlertId"]);
        var devices = properties["relatedEntities"]!.AsArray().Where(e => (string?)e!["kind"] == "IoTDevice").ToList();
        Assert.Equal(2, devices.Count);
        var owners = devices.SelectMany(d => d!["properties"]!["owners"]!.AsArray().Select(o => (string?)o)).Distinct().Order().ToList();
        Assert.Equal(["camille.petit@contoso.example", "luc.bernard@contoso.example", "sophie.martin@contoso.example"], owners);
        Assert.Contains(properties["relatedEntities"]!.AsArray(), e => (string?)e!["kind"] == "Ip");
        Assert.Empty(properties["comments"]!.AsArray());
    }

    [Fact]
    public async Task AdminRaiseIncident_WithoutPayloadExposure_LeavesOwnersOutOfRelatedEntities()
    {
        var raised = await RaiseFullAsync("plc-programming-mode", ownerExposure: ["entitiesApi"]);

        var device = raised["triggerPayload"]!["object"]!["properties"]!["relatedEntities"]!.AsArray().Single(e => (string?)e!["kind"] == "IoTDevice")!;
        Assert.Null(device["properties"]!["owners"]);
        Assert.Equal("sensor-hh-line3", (string?)device["properties"]!["sensor"]);
    }

    [Fact]
    public async Task AdminRaiseIncident_UnknownSample_Returns404()
    {
        var response = await Http.PostAsJsonAsync("admin/incidents", new { sample = "no-such-sample" });

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "SampleNotFound");
    }

    [Fact]
    public async Task AdminReset_ClearsIncidentsMailFaultsAndJournal()
    {
        await RaiseAsync("plc-programming-mode");
        await Http.PostAsJsonAsync("admin/faults", new { pathContains = "/graph/", status = 503, times = 5 });
        await SendAsync(HttpMethod.Get, "graph/v1.0/users/klaus.schmidt@contoso.example", GraphToken());

        var reset = await Http.PostAsync("admin/reset", content: null);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Empty(Server.Sentinel.Incidents);
        Assert.Empty(Server.Faults.Rules);
        Assert.Empty(Server.Journal.Requests());
        Assert.Equal(7, (await GetJsonAsync<JsonArray>("admin/samples")).Count);
    }
}
