using System.Globalization;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Emulator.Teams;

/// <summary>
/// Graph's read side of the SOC team's channels: <c>GET teams/{group}/channels/{channel}/messages</c> (the thread roots)
/// and <c>…/messages/{id}/replies</c>, as Microsoft serves them: newest first, <c>$top</c> 1–50 (default 20; Graph
/// supports no other query option here), pages linked by an absolute <c>@odata.nextLink</c>. Needs the application
/// permission ChannelMessage.Read.All, or the resource-specific ChannelMessage.Read.Group that the Teams app's manifest
/// asks for when it is installed in the team (modelled as a role of the app's token, so <c>PUT /admin/access</c> can
/// withhold it).
/// </summary>
public static partial class TeamsEndpoints
{
    private static readonly string[] ChannelReadRoles = ["ChannelMessage.Read.Group", "ChannelMessage.Read.All", "Group.Read.All", "Group.ReadWrite.All"];

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListChannelMessages(
        string teamId, string channelId, [FromQuery(Name = "$top")] int? top, [FromQuery(Name = "$skiptoken")] string? skipToken,
        HttpContext http, TeamsWorld teams, EmulatorContext emulator)
    {
        if (ChannelFor(teamId, channelId, http, teams) is not { } channel)
        {
            return ChannelError(teamId, http);
        }
        var roots = channel.Threads.Select(t => t.Root).OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal).ToList();
        var identity = new JsonObject { ["teamId"] = teamId, ["channelId"] = channelId };
        var path = $"teams/{teamId}/channels/{Uri.EscapeDataString(channelId)}/messages";
        return ChannelPage(roots, m => ChatMessage(m, null, teams.BotAppId, null, (JsonObject)identity.DeepClone()), top, skipToken, path, emulator);
    }

    public static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ListReplies(
        string teamId, string channelId, string messageId, [FromQuery(Name = "$top")] int? top, [FromQuery(Name = "$skiptoken")] string? skipToken,
        HttpContext http, TeamsWorld teams, EmulatorContext emulator)
    {
        if (ChannelFor(teamId, channelId, http, teams) is not { } channel)
        {
            return ChannelError(teamId, http);
        }
        if (channel.Threads.FirstOrDefault(t => t.Root.Id == messageId) is not { } thread)
        {
            return Error(404, "NotFound", $"Message '{messageId}' was not found in the channel.");
        }
        var replies = thread.Replies.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal).ToList();
        var identity = new JsonObject { ["teamId"] = teamId, ["channelId"] = channelId };
        var path = $"teams/{teamId}/channels/{Uri.EscapeDataString(channelId)}/messages/{messageId}/replies";
        return ChannelPage(replies, m => ChatMessage(m, null, teams.BotAppId, messageId, (JsonObject)identity.DeepClone()), top, skipToken, path, emulator);
    }

    private static TeamsChannel? ChannelFor(string teamId, string channelId, HttpContext http, TeamsWorld teams) =>
        CanReadChannels(http) && string.Equals(teamId, TeamsWorld.SocTeamGroupId, StringComparison.OrdinalIgnoreCase)
            ? teams.Channel(channelId)
            : null;

    private static bool CanReadChannels(HttpContext http) =>
        http.User.FindAll("roles").Any(r => ChannelReadRoles.Contains(r.Value, StringComparer.Ordinal)) || http.User.FindFirst("scp") is not null;

    private static JsonHttpResult<ErrorEnvelope> ChannelError(string teamId, HttpContext http) =>
        !CanReadChannels(http)
            ? Error(403, "Forbidden", "Missing role permissions on the request. API requires one of 'ChannelMessage.Read.Group, ChannelMessage.Read.All, Group.Read.All, Group.ReadWrite.All'.")
            : Error(404, "NotFound", $"No team found with Group Id {teamId}, or the channel does not exist.");

    private static Results<Ok<JsonObject>, JsonHttpResult<ErrorEnvelope>> ChannelPage(List<TeamsChatMessage> all, Func<TeamsChatMessage, JsonObject> project,
        int? top, string? skipToken, string path, EmulatorContext emulator)
    {
        var pageSize = top ?? 20;
        if (pageSize is < 1 or > 50)
        {
            return Error(400, "BadRequest", "Invalid page size specified: '" + pageSize.ToString(CultureInfo.InvariantCulture) + "'. Must be between 1 and 50 inclusive.");
        }
        var skip = 0;
        if (skipToken is not null && (!int.TryParse(System.Text.Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(skipToken)), CultureInfo.InvariantCulture, out skip) || skip < 0))
        {
            return Error(400, "BadRequest", "Invalid skip token.");
        }
        var page = all.Skip(skip).Take(pageSize).ToList();
        var body = new JsonObject
        {
            ["@odata.context"] = $"{emulator.GraphAudience}/v1.0/$metadata#{path}",
            ["@odata.count"] = page.Count,
            ["value"] = new JsonArray([.. page.Select(m => (JsonNode)project(m))]),
        };
        if (skip + page.Count < all.Count)
        {
            var next = Base64UrlEncoder.Encode((skip + page.Count).ToString(CultureInfo.InvariantCulture));
            body["@odata.nextLink"] = $"{emulator.GraphAudience}/v1.0/{path}?$top={pageSize}&$skiptoken={next}";
        }
        return TypedResults.Ok(body);
    }
}
