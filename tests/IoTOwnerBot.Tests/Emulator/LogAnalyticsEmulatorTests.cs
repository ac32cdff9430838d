using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>Log Analytics: the owner query and what it answers for each owner exposure.</summary>
public sealed class LogAnalyticsEmulatorTests : EmulatorTest
{
    [Fact]
    public async Task LogAnalyticsOwnerQuery_EscapedDeviceName_AnswersOwnersAsDynamicJson_AndJournalKeepsQuery()
    {
        const string deviceName = "PLC \"7\" \\ line";
        var raised = await RaiseFullAsync("plc-programming-mode", devices: [new { deviceName }]);
        var systemAlertId = (string)raised["triggerPayload"]!["object"]!["properties"]!["alerts"]![0]!["properties"]!["systemAlertId"]!;
        var escaped = deviceName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        var query = $"SecurityAlert | summarize arg_max(TimeGenerated, *) by SystemAlertId | where SystemAlertId == \"{systemAlertId}\" "
            + $"| mv-expand Entity = parse_json(Entities) | where Entity.DeviceName == \"{escaped}\" | project DeviceName = Entity.DeviceName, Owners = Entity.Owners";

        var response = await SendAsync(HttpMethod.Post, LogAnalyticsUrl(), LogAnalyticsToken(), new { query, timespan = "P30D" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var table = (await response.Content.ReadFromJsonAsync<JsonObject>())!["tables"]![0]!;
        Assert.Equal("PrimaryResult", (string?)table["name"]);
        Assert.Equal(["DeviceName", "Owners", "Sensor", "Site", "Zone"], table["columns"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal("dynamic", (string?)table["columns"]![1]!["type"]);
        var row = table["rows"]![0]!.AsArray();
        Assert.Equal(deviceName, (string?)row[0]);
        Assert.Equal("[\"klaus.schmidt@contoso.example\"]", (string?)row[1]);
        Assert.Equal("sensor-hh-line3", (string?)row[2]);
        var journaled = Assert.Single(Server.Journal.Requests("/loganalytics/"));
        Assert.Contains(JsonSerializer.Serialize(escaped)[1..^1], journaled.RequestBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogAnalytics_QueryItDoesNotUnderstand_Returns400BadArgumentError()
    {
        var response = await SendAsync(HttpMethod.Post, LogAnalyticsUrl(), LogAnalyticsToken(), new { query = "Heartbeat | take 10" });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadArgumentError");
    }

    [Fact]
    public async Task LogAnalytics_ExposureWithoutLogAnalytics_ReturnsRowWithoutOwners()
    {
        var raised = await RaiseFullAsync("plc-programming-mode", ownerExposure: ["payload"]);
        var systemAlertId = (string)raised["triggerPayload"]!["object"]!["properties"]!["alerts"]![0]!["properties"]!["systemAlertId"]!;

        var response = await SendAsync(HttpMethod.Post, LogAnalyticsUrl(), LogAnalyticsToken(),
            new { query = $"SecurityAlert | where SystemAlertId == \"{systemAlertId}\" | where Entity.DeviceName == \"HH-PLC-LINE3-01\"" });

        var row = (await response.Content.ReadFromJsonAsync<JsonObject>())!["tables"]![0]!["rows"]![0]!.AsArray();
        Assert.Equal("HH-PLC-LINE3-01", (string?)row[0]);
        Assert.Null(row[1]);
    }
}
