using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTOwnerBot.Emulator.Teams;

/// <summary>
/// Admin API for Teams (<c>/admin/teams…</c>): look into the bot's chats, install the app for a user, and act as a
/// Teams user: click a card button (an <c>adaptiveCard/action</c> invoke built and signed exactly as Teams does) or
/// send any other activity to the bot's messaging endpoint. Token overrides produce the bad tokens tests need.
/// </summary>
public static class TeamsAdmin
{
    public const string HttpClientName = "emulator-teams-bot";

    public static RouteGroupBuilder MapTeamsAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/teams", (TeamsWorld teams) => TypedResults.Ok(teams.Chats));
        admin.MapGet("/teams/channels", (TeamsWorld teams) => TypedResults.Ok(new[] { teams.Channel(TeamsWorld.SocChannelId)! }));
        admin.MapGet("/teams/channels/{channelId}", GetChannel);
        admin.MapPost("/teams/channels/{channelId}/messages/{activityId}/actions", ClickInChannel);
        admin.MapPost("/teams/bot", RegisterBot);
        admin.MapGet("/teams/{user}", GetChat);
        admin.MapPost("/teams/{user}/install", Install);
        admin.MapDelete("/teams/{user}/install", Uninstall);
        admin.MapPost("/teams/{user}/activities", SendActivity);
        admin.MapPost("/teams/{user}/messages/{activityId}/actions", Click);
        return admin;
    }

    public static NoContent RegisterBot(BotRegistration body, TeamsWorld teams)
    {
        teams.MessagingEndpoint = body.MessagingEndpoint;
        if (body.BotAppId is { } appId)
        {
            teams.BotAppId = appId;
        }
        return TypedResults.NoContent();
    }

    public static Results<Ok<TeamsChat>, JsonHttpResult<ErrorEnvelope>> GetChat(string user, TeamsWorld teams) =>
        teams.ChatOf(user) is { } chat ? TypedResults.Ok(chat) : Error(404, "NotFound", $"The bot has no chat with '{user}'.");

    public static Results<Ok<TeamsChannel>, JsonHttpResult<ErrorEnvelope>> GetChannel(string channelId, TeamsWorld teams) =>
        teams.Channel(channelId) is { } channel ? TypedResults.Ok(channel) : Error(404, "NotFound", $"No channel '{channelId}'.");

    /// <summary>
    /// A team member clicks a button (by <see cref="ClickRequest.Verb"/>: the Action.Execute of the card with that verb) on
    /// the root card of a thread in a channel (<paramref name="activityId"/> = the root's id). The invoke carries
    /// <c>conversation.conversationType: channel</c> and <c>channelData.channel/team</c>, as Teams sends it. Only team
    /// members see the channel: anyone else gets 403 from Teams itself.
    /// </summary>
    public static async Task<Results<Ok<BotReply>, JsonHttpResult<ErrorEnvelope>>> ClickInChannel(
        string channelId, string activityId, ClickRequest body, TeamsWorld teams, EmulatorContext emulator, BotFrameworkKeys keys, IHttpClientFactory http)
    {
        if (teams.Channel(channelId) is not { } channel)
        {
            return Error(404, "NotFound", $"No channel '{channelId}'.");
        }
        var thread = channel.Threads.FirstOrDefault(t => t.Root.Id == activityId);
        var message = thread?.Root ?? channel.Threads.SelectMany(t => t.Replies).FirstOrDefault(r => r.Id == activityId);
        if (thread is null || message is null)
        {
            return Error(404, "NotFound", $"No root message '{activityId}' in channel '{channelId}'.");
        }
        if (body.AsUser is not { } asUser || teams.FindUser(asUser) is not { } clicker)
        {
            return Error(400, "BadRequest", "asUser (a member of the team) is required.");
        }
        if (!teams.IsSocTeamMember(clicker.Id))
        {
            return Error(403, "Forbidden", $"'{asUser}' is not a member of the team {channel.TeamName}.");
        }
        var action = message.Card?["actions"]?.AsArray().OfType<JsonObject>()
            .FirstOrDefault(a => (string?)a["type"] == "Action.Execute" && (string?)a["verb"] == body.Verb);
        if (action is null)
        {
            return Error(400, "BadRequest", $"The card has no Action.Execute with verb '{body.Verb}'.");
        }
        var data = action["data"]?.DeepClone() as JsonObject ?? [];
        foreach (var (k, v) in body.Data ?? [])
        {
            data[k] = v?.DeepClone();
        }
        var botId = (string?)message.Activity["from"]?["id"] ?? "28:" + teams.BotAppId;
        var invoke = new JsonObject
        {
            ["type"] = "invoke",
            ["name"] = "adaptiveCard/action",
            ["replyToId"] = activityId,
            ["conversation"] = new JsonObject
            {
                ["id"] = thread.ConversationId, ["conversationType"] = "channel", ["isGroup"] = true, ["tenantId"] = emulator.TenantId,
            },
            ["channelData"] = new JsonObject
            {
                ["tenant"] = new JsonObject { ["id"] = emulator.TenantId },
                ["team"] = new JsonObject { ["id"] = channel.TeamId, ["name"] = channel.TeamName, ["aadGroupId"] = Guid.Empty.ToString() },
                ["channel"] = new JsonObject { ["id"] = channel.ChannelId, ["name"] = channel.ChannelName },
                ["source"] = new JsonObject { ["name"] = "message" },
            },
            ["value"] = new JsonObject
            {
                ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = action["verb"]?.DeepClone(), ["data"] = data },
                ["trigger"] = "manual",
            },
        };
        var pseudoChat = new TeamsChat(clicker.Id, clicker.UserPrincipalName, TeamsWorld.TeamsUserId(clicker.Id), thread.ConversationId, botId, true, []);
        return await SendAsync(pseudoChat, clicker.Id, invoke, body.MessagingEndpoint, body.Token, teams, emulator, keys, http, body.ChannelId);
    }

    public static Results<NoContent, JsonHttpResult<ErrorEnvelope>> Install(string user, TeamsWorld teams, TenantWorld tenant)
    {
        if (tenant.FindUser(user) is not { } who)
        {
            return Error(404, "NotFound", $"No directory user '{user}'.");
        }
        teams.Install(who.Id, out _);
        return TypedResults.NoContent();
    }

    public static Results<NoContent, JsonHttpResult<ErrorEnvelope>> Uninstall(string user, TeamsWorld teams, TenantWorld tenant)
    {
        if (tenant.FindUser(user) is not { } who)
        {
            return Error(404, "NotFound", $"No directory user '{user}'.");
        }
        teams.Uninstall(who.Id);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Clicks a button of the card in message <paramref name="activityId"/> of <paramref name="user"/>'s chat: by
    /// <see cref="ClickRequest.Answer"/> (the Action.Execute whose data.answer matches), by explicit verb and data, or
    /// the card's <c>refresh</c> action. Returns what the bot answered (the invoke response).
    /// </summary>
    public static async Task<Results<Ok<BotReply>, JsonHttpResult<ErrorEnvelope>>> Click(
        string user, string activityId, ClickRequest body, TeamsWorld teams, EmulatorContext emulator, BotFrameworkKeys keys, IHttpClientFactory http)
    {
        if (teams.ChatOf(user) is not { } chat)
        {
            return Error(404, "NotFound", $"The bot has no chat with '{user}'.");
        }
        if (chat.Messages.FirstOrDefault(m => m.Id == activityId) is not { } message)
        {
            return Error(404, "NotFound", $"No message '{activityId}' in the chat with '{user}'.");
        }
        JsonObject? action;
        if (body.Refresh)
        {
            action = message.Card?["refresh"]?["action"]?.DeepClone() as JsonObject;
        }
        else if (body.Answer is { } answer)
        {
            action = message.Card?["actions"]?.AsArray().OfType<JsonObject>()
                .FirstOrDefault(a => (string?)a["type"] == "Action.Execute" && string.Equals((string?)a["data"]?["answer"], answer, StringComparison.OrdinalIgnoreCase))
                ?.DeepClone() as JsonObject;
        }
        else
        {
            action = body.Verb is null ? null : new JsonObject { ["type"] = "Action.Execute", ["verb"] = body.Verb, ["data"] = body.Data?.DeepClone() ?? new JsonObject() };
        }
        if (action is null)
        {
            return Error(400, "BadRequest", "The card has no such action (give answer, verb, or refresh: true for a card with a refresh action).");
        }
        if (body.Data is not null && body.Verb is null)
        {
            // Inputs are merged into the action's data, as Teams does.
            var data = action["data"] as JsonObject ?? [];
            foreach (var (k, v) in body.Data)
            {
                data[k] = v?.DeepClone();
            }
            action["data"] = data;
        }

        var invoke = new JsonObject
        {
            ["type"] = "invoke",
            ["name"] = "adaptiveCard/action",
            ["replyToId"] = activityId,
            ["value"] = new JsonObject
            {
                ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = action["verb"]?.DeepClone(), ["data"] = action["data"]?.DeepClone() ?? new JsonObject() },
                ["trigger"] = body.Refresh ? "automatic" : "manual",
            },
        };
        return await SendAsync(chat, body.AsUser, invoke, body.MessagingEndpoint, body.Token, teams, emulator, keys, http, body.ChannelId);
    }

    /// <summary>Sends any activity (message, conversationUpdate, installationUpdate, …) to the bot as <paramref name="user"/>.</summary>
    public static async Task<Results<Ok<BotReply>, JsonHttpResult<ErrorEnvelope>>> SendActivity(
        string user, ActivityRequest body, TeamsWorld teams, TenantWorld tenant, EmulatorContext emulator, BotFrameworkKeys keys, IHttpClientFactory http)
    {
        if (tenant.FindUser(user) is not { } who)
        {
            return Error(404, "NotFound", $"No directory user '{user}'.");
        }
        var chat = teams.ChatOf(who.Id);
        if (chat is null)
        {
            if (teams.BotAppId is not { } botAppId)
            {
                return Error(400, "BadRequest", "The bot has no chat with this user yet: register the bot's app id with POST /admin/teams/bot first.");
            }
            // The user installed the app themselves and talks first.
            teams.Install(who.Id, out _);
            _ = teams.CreateConversation(who, "28:" + botAppId);
            chat = teams.ChatOf(who.Id)!;
        }
        return await SendAsync(chat, null, body.Activity ?? new JsonObject { ["type"] = "message", ["text"] = "hello" }, body.MessagingEndpoint, body.Token, teams, emulator, keys, http, body.ChannelId);
    }

    private static async Task<Results<Ok<BotReply>, JsonHttpResult<ErrorEnvelope>>> SendAsync(
        TeamsChat chat, string? asUser, JsonObject partial, string? endpoint, TokenOverrides? token,
        TeamsWorld teams, EmulatorContext emulator, BotFrameworkKeys keys, IHttpClientFactory http, string? channelId = null)
    {
        endpoint ??= teams.MessagingEndpoint;
        if (endpoint is null)
        {
            return Error(400, "BadRequest", "No messaging endpoint: give messagingEndpoint or register it with POST /admin/teams/bot.");
        }
        teams.MessagingEndpoint = endpoint;
        var clicker = teams.FindUser(asUser ?? chat.UserId);
        if (clicker is null)
        {
            return Error(404, "NotFound", $"No directory user '{asUser}'.");
        }

        var activity = channelId is null or BotFrameworkKeys.TeamsChannel
            ? Activity(chat, clicker, partial, emulator)
            : OtherChannelActivity(channelId, clicker, partial, emulator);
        var botAppId = chat.BotId.StartsWith("28:", StringComparison.Ordinal) ? chat.BotId[3..] : chat.BotId;
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        token ??= new TokenOverrides();
        if (token.Raw is { } raw)
        {
            request.Headers.TryAddWithoutValidation(token.Header ?? "Authorization", raw);
        }
        else if (!token.Omit)
        {
            var jwt = keys.Mint(new BotTokenOptions
            {
                Audience = token.Audience ?? botAppId,
                ServiceUrl = token.OmitServiceUrl ? null : token.ServiceUrl ?? (string?)activity["serviceUrl"],
                Issuer = token.Issuer,
                Expired = token.Expired,
                NotYetValid = token.NotYetValid,
                Key = token.Key,
            });
            request.Headers.TryAddWithoutValidation(token.Header ?? "Authorization", "Bearer " + jwt);
        }

        using var client = http.CreateClient(HttpClientName);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed = null;
        if (text.Length > 0)
        {
            try
            {
                parsed = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                parsed = JsonValue.Create(text);
            }
        }
        return TypedResults.Ok(new BotReply((int)response.StatusCode, parsed, (string?)activity["id"] ?? ""));
    }

    /// <summary>A Teams activity from <paramref name="from"/> in the 1:1 conversation, with what Teams always fills in.</summary>
    private static JsonObject Activity(TeamsChat chat, DirectoryUser from, JsonObject partial, EmulatorContext emulator)
    {
        var now = emulator.Time.GetUtcNow();
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["id"] = "f:" + Guid.NewGuid().ToString("N"),
            ["timestamp"] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["localTimestamp"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["serviceUrl"] = emulator.TeamsServiceUrl,
            ["channelId"] = BotFrameworkKeys.TeamsChannel,
            ["from"] = new JsonObject { ["id"] = TeamsWorld.TeamsUserId(from.Id), ["name"] = from.DisplayName, ["aadObjectId"] = from.Id },
            ["recipient"] = new JsonObject { ["id"] = chat.BotId, ["name"] = "IoTOwnerBot" },
            ["conversation"] = new JsonObject { ["id"] = chat.ConversationId, ["conversationType"] = "personal", ["tenantId"] = emulator.TenantId },
            ["locale"] = from.PreferredLanguage ?? "en-US",
            ["entities"] = new JsonArray(new JsonObject { ["type"] = "clientInfo", ["locale"] = from.PreferredLanguage ?? "en-US", ["platform"] = "Web" }),
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = emulator.TenantId }, ["source"] = new JsonObject { ["name"] = "message" } },
        };
        foreach (var (key, value) in partial)
        {
            activity[key] = value?.DeepClone();
        }
        return activity;
    }

    /// <summary>
    /// An activity as another Bot Framework channel (Web Chat, Direct Line) sends it: that channel's service URL, no
    /// Teams tenant or channel data, and a <c>from</c> the client chose — Web Chat does not verify it, so it may claim
    /// any user's object id.
    /// </summary>
    private static JsonObject OtherChannelActivity(string channelId, DirectoryUser claimed, JsonObject partial, EmulatorContext emulator)
    {
        var now = emulator.Time.GetUtcNow();
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["id"] = Guid.NewGuid().ToString("N"),
            ["timestamp"] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["serviceUrl"] = $"https://{channelId}.botframework.com/",
            ["channelId"] = channelId,
            ["from"] = new JsonObject { ["id"] = "dl_" + Guid.NewGuid().ToString("N")[..12], ["name"] = claimed.DisplayName, ["aadObjectId"] = claimed.Id },
            ["recipient"] = new JsonObject { ["id"] = "iotownerbot", ["name"] = "IoTOwnerBot" },
            ["conversation"] = new JsonObject { ["id"] = Guid.NewGuid().ToString("N") },
            ["locale"] = "en-US",
        };
        foreach (var (key, value) in partial)
        {
            activity[key] = value?.DeepClone();
        }
        return activity;
    }

    private static JsonHttpResult<ErrorEnvelope> Error(int status, string code, string message) =>
        TypedResults.Json(ErrorEnvelope.Of(code, message), statusCode: status);
}

/// <summary><c>POST /admin/teams/bot</c>: where the bot listens, and its app id (needed before the bot's first send).</summary>
public sealed record BotRegistration(string? MessagingEndpoint, string? BotAppId);

/// <summary>Bad tokens on demand; the defaults give the token Teams would send.</summary>
public sealed record TokenOverrides
{
    /// <summary><c>aud</c> other than the bot's app id.</summary>
    public string? Audience { get; init; }

    /// <summary><c>serviceurl</c> claim other than the activity's serviceUrl.</summary>
    public string? ServiceUrl { get; init; }
    public bool OmitServiceUrl { get; init; }
    public string? Issuer { get; init; }
    public bool Expired { get; init; }

    /// <summary><c>nbf</c> in the future.</summary>
    public bool NotYetValid { get; init; }

    /// <summary>Sent verbatim as the header's value instead of a minted token (forged tokens, other schemes).</summary>
    public string? Raw { get; init; }

    /// <summary>The header that carries the token; defaults to <c>Authorization</c>.</summary>
    public string? Header { get; init; }

    /// <summary><c>Unendorsed</c>: a published key not endorsed for msteams; <c>Unknown</c>: a key in no JWKS.</summary>
    public BotSigningKey Key { get; init; }

    /// <summary>No Authorization header at all.</summary>
    public bool Omit { get; init; }
}

/// <summary><c>POST /admin/teams/{user}/messages/{activityId}/actions</c>.</summary>
public sealed record ClickRequest
{
    /// <summary>The answer button to click (<c>yes</c> or <c>no</c>): the Action.Execute whose data.answer matches.</summary>
    public string? Answer { get; init; }

    /// <summary>An explicit verb (with <see cref="Data"/>) instead of a button of the card.</summary>
    public string? Verb { get; init; }

    /// <summary>With <see cref="Verb"/>: the action's data; otherwise inputs merged into the button's data.</summary>
    public JsonObject? Data { get; init; }

    /// <summary>Invoke the card's <c>refresh</c> action (trigger <c>automatic</c>), as Teams does when the card is shown.</summary>
    public bool Refresh { get; init; }

    /// <summary>Who clicks (object id or UPN); defaults to the chat's user. Another user plays a forwarded or shared card.</summary>
    public string? AsUser { get; init; }

    /// <summary>The bot's <c>/api/messages</c>; defaults to the registered one.</summary>
    public string? MessagingEndpoint { get; init; }

    public TokenOverrides? Token { get; init; }

    /// <summary>Send the click as another Bot Framework channel (e.g. <c>webchat</c>) would, claiming <see cref="AsUser"/>.</summary>
    public string? ChannelId { get; init; }
}

/// <summary><c>POST /admin/teams/{user}/activities</c>: fields of the activity (the rest is filled in as Teams, or <paramref name="ChannelId"/>, does).</summary>
public sealed record ActivityRequest(JsonObject? Activity, string? MessagingEndpoint, TokenOverrides? Token, string? ChannelId = null);

/// <summary>What the bot answered: HTTP status and body (for an invoke, the invoke response).</summary>
public sealed record BotReply(int Status, JsonNode? Body, string ActivityId);
