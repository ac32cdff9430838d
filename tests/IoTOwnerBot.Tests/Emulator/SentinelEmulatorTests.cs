using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>Sentinel over ARM: api-version, incident PUT with etags, paging, comments and the entities API.</summary>
public sealed class SentinelEmulatorTests : EmulatorTest
{
    [Fact]
    public async Task Arm_WithoutApiVersion_Returns400MissingApiVersionParameter()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident).Split('?')[0], ArmToken());

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "MissingApiVersionParameter");
    }

    [Fact]
    public async Task IncidentPut_WithCurrentEtag_UpdatesAndBumpsEtag_AndStaleEtagGets409()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        // Real ids say "Incidents": the path must match case-insensitively.
        var url = IncidentUrl(incident).Replace("/incidents/", "/Incidents/", StringComparison.Ordinal);
        var current = await GetJsonAsync(url);
        var firstEtag = (string)current["etag"]!;

        var update = await SendAsync(HttpMethod.Put, url, ArmToken(), new
        {
            etag = firstEtag,
            properties = new { title = "PLC programming mode change", severity = "High", status = "Active", labels = new[] { new { labelName = "OT" } } },
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var updated = (await update.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEqual(firstEtag, (string)updated["etag"]!);
        Assert.Equal("High", (string?)updated["properties"]!["severity"]);
        Assert.Equal(1, (int)updated["properties"]!["incidentNumber"]!);

        var stale = await SendAsync(HttpMethod.Put, url, ArmToken(), new
        {
            etag = firstEtag,
            properties = new { title = "t", severity = "Low", status = "Active" },
        });
        var error = await AssertErrorAsync(stale, HttpStatusCode.Conflict, "Conflict");
        Assert.Equal($"Newer version of resource '{Server.Workspace.IncidentId(incident)}' exists. Data was not saved", error);
        Assert.Equal("High", Server.Sentinel.FindIncident(incident)!.Properties.Severity);
    }

    [Fact]
    public async Task IncidentPut_ClassificationWithoutReason_Returns400AndChangesNothing()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var etag = Server.Sentinel.FindIncident(incident)!.Etag;

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new
        {
            properties = new { title = "x", severity = "Medium", status = "Closed", classification = "BenignPositive" },
        });

        var message = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Equal("classification 'BenignPositive' must have classificationReason.", message);
        Assert.Equal(etag, Server.Sentinel.FindIncident(incident)!.Etag);
    }

    [Fact]
    public async Task IncidentPut_ClosedWithoutClassification_Returns400()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new
        {
            properties = new { title = "x", severity = "Medium", status = "Closed" },
        });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task IncidentPut_Labels_KeepAutoAssignedTypeAndMarkNewOnesUser_ReadOnlyFieldsStay()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var before = Server.Sentinel.FindIncident(incident)!;

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new
        {
            properties = new
            {
                title = before.Properties.Title,
                severity = "Medium",
                status = "Closed",
                classification = "BenignPositive",
                classificationReason = "SuspiciousButExpected",
                incidentNumber = 999,
                labels = new[] { new { labelName = "OT" }, new { labelName = "IoT owner: expected" } },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = Server.Sentinel.FindIncident(incident)!;
        Assert.Equal([new("OT", "AutoAssigned"), new("IoT owner: expected", "User")], after.Properties.Labels);
        Assert.Equal(before.Properties.IncidentNumber, after.Properties.IncidentNumber);
        Assert.True(after.Properties.LastModifiedTimeUtc >= before.Properties.LastModifiedTimeUtc);
        Assert.Equal("Closed", after.Properties.Status);
    }

    [Fact]
    public async Task IncidentList_OrderedNewestFirst_PagesThroughNextLink()
    {
        var first = await RaiseAsync("plc-programming-mode");
        var second = await RaiseAsync("hmi-remote-access");
        var third = await RaiseAsync("ews-scan-detected");
        var url = $"arm{Server.Workspace.SecurityInsightsId}/incidents?api-version={Stable}&$orderby=properties/createdTimeUtc desc&$top=2";

        var page1 = await GetJsonAsync(url);
        var page2 = await GetJsonAsync((string)page1["nextLink"]!);

        var names = page1["value"]!.AsArray().Concat(page2["value"]!.AsArray()).Select(i => (string?)i!["name"]).ToList();
        Assert.Equal([third, second, first], names);
        Assert.Contains("$skipToken=", (string)page1["nextLink"]!, StringComparison.Ordinal);
        Assert.Null(page2["nextLink"]);
    }

    [Fact]
    public async Task CommentPut_SameIdTwice_Creates201ThenReturns200_WithoutDuplicate()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var url = $"arm{Server.Workspace.IncidentId(incident)}/comments/0f8fad5b-d9cb-469f-a165-70867728950e?api-version={Stable}";
        var body = new { properties = new { message = "Device owner klaus.schmidt@contoso.example answered: expected." } };

        var created = await SendAsync(HttpMethod.Put, url, ArmToken(), body);
        var repeated = await SendAsync(HttpMethod.Put, url, ArmToken(), body);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        var first = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var second = (await repeated.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((string?)first["properties"]!["createdTimeUtc"], (string?)second["properties"]!["createdTimeUtc"]);
        Assert.NotNull(first["properties"]!["author"]);
        var list = await GetJsonAsync($"arm{Server.Workspace.IncidentId(incident)}/comments?api-version={Stable}");
        Assert.Single(list["value"]!.AsArray());
        Assert.Equal(1, Server.Sentinel.FindIncident(incident)!.Properties.AdditionalData.CommentsCount);
    }

    [Fact]
    public async Task Entities_PreviewApiVersion_ShowsOwnersAndSite_StableStripsPreviewFields()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var preview = await PostJsonAsync($"arm{Server.Workspace.IncidentId(incident)}/entities?api-version={Preview}");
        var stable = await PostJsonAsync($"arm{Server.Workspace.IncidentId(incident)}/entities?api-version={Stable}");

        var previewDevice = IoTDevice(preview);
        Assert.Equal(["klaus.schmidt@contoso.example"], previewDevice["owners"]!.AsArray().Select(o => (string?)o));
        Assert.Equal("Hamburg Plant", (string?)previewDevice["site"]);
        Assert.Equal("PLC", (string?)previewDevice["deviceSubType"]);
        var stableDevice = IoTDevice(stable);
        Assert.Equal("HH-PLC-LINE3-01", (string?)stableDevice["deviceName"]);
        foreach (var field in new[] { "owners", "site", "zone", "sensor", "deviceSubType", "importance" })
        {
            Assert.False(stableDevice.ContainsKey(field), field);
        }
        Assert.Contains(stable["metaData"]!.AsArray(), m => (string?)m!["entityKind"] == "IoTDevice" && (int)m["count"]! == 1);
    }

    [Fact]
    public async Task Entities_ExposureWithoutEntitiesApi_HidesOwnersEvenWithPreview()
    {
        var incident = await RaiseAsync("plc-programming-mode", ownerExposure: ["payload", "logAnalytics"]);

        var preview = await PostJsonAsync($"arm{Server.Workspace.IncidentId(incident)}/entities?api-version={Preview}");

        var device = IoTDevice(preview);
        Assert.False(device.ContainsKey("owners"));
        Assert.Equal("Hamburg Plant", (string?)device["site"]);
    }

    private static JsonObject IoTDevice(JsonObject entityList) =>
        entityList["entities"]!.AsArray().Single(e => (string?)e!["kind"] == "IoTDevice")!["properties"]!.AsObject();
}
