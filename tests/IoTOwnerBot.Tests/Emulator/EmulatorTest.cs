using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>The emulator over real loopback HTTP: one fresh emulator per test, and the calls its tests make.</summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    protected const string Stable = "2025-09-01";
    protected const string Preview = "2025-07-01-preview";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected EmulatorServer Server { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EmulatorServer.StartAsync();
        Http = new HttpClient { BaseAddress = Server.BaseUri };
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Http.Dispose();
    }

    protected string ArmToken() => Server.MintToken(new TokenRequest { Audience = Server.ArmEndpoint });

    protected string GraphToken() => Server.MintToken(new TokenRequest { Audience = Server.GraphEndpoint });

    protected string LogAnalyticsToken() => Server.MintToken(new TokenRequest { Audience = Server.LogAnalyticsEndpoint });

    protected string IncidentUrl(string name) => $"arm{Server.Workspace.IncidentId(name)}?api-version={Stable}";

    protected string LogAnalyticsUrl() => $"loganalytics/v1/workspaces/{Server.Workspace.WorkspaceId}/query";

    protected async Task<string> RaiseAsync(string sample, string[]? ownerExposure = null) =>
        (string)(await RaiseFullAsync(sample, ownerExposure))["incident"]!["name"]!;

    protected async Task<JsonObject> RaiseFullAsync(string sample, string[]? ownerExposure = null, object[]? devices = null)
    {
        var response = await Http.PostAsJsonAsync("admin/incidents", new { sample, ownerExposure, devices });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    protected async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        return await Http.SendAsync(request);
    }

    protected Task<JsonObject> GetJsonAsync(string url, string? token = null) => GetJsonAsync<JsonObject>(url, token ?? (url.StartsWith("arm", StringComparison.Ordinal) || url.Contains("/arm/", StringComparison.Ordinal) ? ArmToken() : null));

    protected async Task<T> GetJsonAsync<T>(string url, string? token = null)
    {
        var response = await SendAsync(HttpMethod.Get, url, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    protected async Task<JsonObject> PostJsonAsync(string url)
    {
        var response = await SendAsync(HttpMethod.Post, url, ArmToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Asserts status and the <c>{"error":{"code","message"}}</c> envelope; returns the message.</summary>
    protected static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal(code, (string?)error["code"]);
        return (string)error["message"]!;
    }
}
