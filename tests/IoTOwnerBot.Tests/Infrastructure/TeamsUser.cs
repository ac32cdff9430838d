using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Teams;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>A Teams user as tests play them, through the emulator's admin API: read the chat, click, send activities.</summary>
public sealed class TeamsUser(EmulatorServer emulator, BotHost bot, string user) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = emulator.BaseUri };

    public string Endpoint => new Uri(bot.BaseAddress, "api/messages").AbsoluteUri;

    public TeamsChat? Chat => emulator.Teams.ChatOf(user);

    /// <summary>Waits until the bot's chat with this user has at least <paramref name="count"/> messages.</summary>
    public async Task<TeamsChat> WaitForMessagesAsync(int count = 1, TimeSpan? timeout = null)
    {
        try
        {
            await bot.WaitForAsync(_ => Task.FromResult(Chat?.Messages.Count >= count), $"{count} Teams message(s) to {user}", timeout);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            var errors = await bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind.StartsWith("teams.")).Select(w => w.Kind + " " + w.Status + ": " + w.LastError).ToListAsync());
            throw new Xunit.Sdk.XunitException($"{ex.Message}. Teams work: {string.Join(" | ", errors)}");
        }
        return Chat!;
    }

    public Task<JsonObject> ClickAsync(string activityId, string answer, string? asUser = null, JsonObject? token = null, string? channelId = null) =>
        PostAsync($"admin/teams/{user}/messages/{activityId}/actions", new JsonObject
        {
            ["answer"] = answer, ["asUser"] = asUser, ["messagingEndpoint"] = Endpoint, ["token"] = token, ["channelId"] = channelId,
        });

    /// <summary>Replays a button as a stale client still showing it would (explicit verb and data).</summary>
    public Task<JsonObject> ClickActionAsync(string activityId, JsonObject action) =>
        PostAsync($"admin/teams/{user}/messages/{activityId}/actions", new JsonObject
        {
            ["verb"] = action["verb"]?.DeepClone(), ["data"] = action["data"]?.DeepClone(), ["messagingEndpoint"] = Endpoint,
        });

    public Task<JsonObject> RefreshAsync(string activityId) =>
        PostAsync($"admin/teams/{user}/messages/{activityId}/actions", new JsonObject { ["refresh"] = true, ["messagingEndpoint"] = Endpoint });

    public Task<JsonObject> SendAsync(JsonObject activity, JsonObject? token = null, string? channelId = null) =>
        PostAsync($"admin/teams/{user}/activities", new JsonObject { ["activity"] = activity, ["messagingEndpoint"] = Endpoint, ["token"] = token, ["channelId"] = channelId });

    private async Task<JsonObject> PostAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"Emulator admin call failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose() => _http.Dispose();
}
