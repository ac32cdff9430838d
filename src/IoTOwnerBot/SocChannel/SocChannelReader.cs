using System.Security.Cryptography;
using System.Text;
using IoTOwnerBot.Teams;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;

namespace IoTOwnerBot.SocChannel;

/// <summary>
/// Finds out whether a post the bot made in the SOC channel is there, after the Bot Connector's answer was lost (a
/// crash, a graceful stop, a timeout or a 5xx after sending). The Connector has no idempotency key and cannot list a
/// conversation's activities, so the channel is read through Graph: the thread roots
/// (<c>teams/{group}/channels/{channel}/messages</c>) and a thread's replies (<c>…/messages/{root}/replies</c>), 50 a
/// page; Graph supports no filter or ordering there. Each post carries a marker only it has: the root card the
/// incident's thread marker, a reply its own reference. Reading needs <see cref="SocThreadOptions.TeamGroupId"/> and the
/// resource-specific permission ChannelMessage.Read.Group (the Teams app asks for it in its manifest).
/// </summary>
public sealed class SocChannelReader(GraphServiceClient graph, IOptionsMonitor<SocThreadOptions> options)
{
    /// <summary>Pages read at most before giving up as <see cref="ChatLookup.CannotTell"/>.</summary>
    internal const int MaxPages = 20;

    /// <summary>The marker the root card of an incident's thread carries (hidden; the same for every creation attempt).</summary>
    public static string ThreadMarker(string incidentKey) =>
        "iotownerbot-thread-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(incidentKey)))[..24];

    /// <summary>The reference a reply ends with: short, unique in its thread, and the same on every attempt.</summary>
    public static string ReplyMarker(Guid replyId) => "ref " + replyId.ToString("N")[..12];

    /// <summary>Looks for the root card of the incident's thread among the channel's threads started since <paramref name="since"/>.</summary>
    public Task<ChatLookup> FindRootAsync(string incidentKey, DateTimeOffset since, CancellationToken ct) =>
        FindAsync(ThreadMarker(incidentKey), since, rootId: null, ct);

    /// <summary>Looks for a reply in the thread whose root is <paramref name="rootId"/>.</summary>
    public Task<ChatLookup> FindReplyAsync(string rootId, Guid replyId, DateTimeOffset since, CancellationToken ct) =>
        FindAsync(ReplyMarker(replyId), since, rootId, ct);

    private async Task<ChatLookup> FindAsync(string marker, DateTimeOffset since, string? rootId, CancellationToken ct)
    {
        var o = options.CurrentValue;
        if (o.TeamGroupId is not { Length: > 0 } team)
            return new ChatLookup.CannotTell("SocThread:TeamGroupId is not configured, so the SOC channel cannot be read");
        try
        {
            var messages = graph.Teams[team].Channels[o.ChannelId].Messages;
            var page = rootId is null
                ? await messages.GetAsync(r => r.QueryParameters.Top = 50, ct)
                : await messages[rootId].Replies.GetAsync(r => r.QueryParameters.Top = 50, ct);
            for (var pages = 1; page is not null; pages++)
            {
                var list = page.Value ?? [];
                if (list.FirstOrDefault(m => TeamsChatReader.Carries(m, marker)) is { Id: { } id }) return new ChatLookup.Found(id);
                // Graph lists newest first: a page that is all older than the attempt ends the search.
                if (list.Count == 0 || list.All(m => m.CreatedDateTime < since) || page.OdataNextLink is not { } next) return new ChatLookup.NotThere();
                if (pages >= MaxPages) return new ChatLookup.CannotTell($"the channel has more than {MaxPages * 50} posts since the first attempt");
                page = rootId is null
                    ? await messages.WithUrl(next).GetAsync(cancellationToken: ct)
                    : await messages[rootId].Replies.WithUrl(next).GetAsync(cancellationToken: ct);
            }
            return new ChatLookup.NotThere();
        }
        catch (ODataError error) when (error.ResponseStatusCode is 429 or >= 500)
        {
            return new ChatLookup.Later($"Graph could not read the SOC channel ({error.ResponseStatusCode})", TeamsChatReader.RetryAfter(error));
        }
        catch (ODataError error) when (error.ResponseStatusCode is >= 400 and < 500)
        {
            var hint = error.ResponseStatusCode == 403 ? "; the Teams app needs the resource-specific permission ChannelMessage.Read.Group in the SOC team" : "";
            return new ChatLookup.CannotTell($"Graph refused to read the SOC channel ({error.ResponseStatusCode} {error.Error?.Code}{hint})");
        }
        catch (HttpRequestException ex)
        {
            return new ChatLookup.Later($"Graph could not be reached ({ex.Message})", null);
        }
    }
}
