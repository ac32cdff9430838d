using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace IoTOwnerBot.Teams;

/// <summary>
/// Finds out whether a card the bot posted into an owner's 1:1 chat is there. The Bot Connector has no idempotency key
/// and Teams cannot list a conversation's activities (<c>GET …/activities</c> answers 405), so the chat is read through
/// Graph: the chat between the owner and the bot's app (<c>users/{id}/teamwork/installedApps/{installation}/chat</c>,
/// the permission that installs the app) and its messages (<c>chats/{id}/messages</c>, application permission
/// Chat.Read.All), newest first, 50 a page, back to <c>since</c>. A card is known by a marker only it carries (its
/// card token or digest id in the Action.Execute data), which Graph returns in the attachment's content.
/// </summary>
public sealed class TeamsChatReader(GraphServiceClient graph, IOptionsMonitor<BotOptions> bot)
{
    /// <summary>Pages read at most (50 messages each) before giving up as <see cref="ChatLookup.CannotTell"/>.</summary>
    internal const int MaxPages = 20;

    public async Task<ChatLookup> FindPostAsync(string userObjectId, string marker, DateTimeOffset since, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(marker);
        if (bot.CurrentValue.TeamsAppId is not { Length: > 0 } appId)
            return new ChatLookup.CannotTell("Bot:TeamsAppId is not configured, so the owner's chat with the bot cannot be found");
        try
        {
            var installed = await graph.Users[userObjectId].Teamwork.InstalledApps.GetAsync(r =>
            {
                r.QueryParameters.Expand = ["teamsApp"];
                r.QueryParameters.Filter = $"teamsApp/id eq '{appId}'";
            }, ct);
            // Not installed: no chat, so no earlier post can be in it (a new post installs the app first).
            if (installed?.Value is not [{ Id: { } installationId }, ..]) return new ChatLookup.NotThere();
            var chat = await graph.Users[userObjectId].Teamwork.InstalledApps[installationId].Chat.GetAsync(cancellationToken: ct);
            if (chat?.Id is not { } chatId) return new ChatLookup.CannotTell("Graph returned no chat between the owner and the bot");

            var page = await graph.Chats[chatId].Messages.GetAsync(r =>
            {
                r.QueryParameters.Top = 50;
                r.QueryParameters.Orderby = ["createdDateTime desc"];
            }, ct);
            for (var pages = 1; page is not null; pages++)
            {
                foreach (var message in page.Value ?? [])
                {
                    if (Carries(message, marker) && message.Id is { } id) return new ChatLookup.Found(id);
                    if (message.CreatedDateTime < since) return new ChatLookup.NotThere();
                }
                if (page.OdataNextLink is not { } next) return new ChatLookup.NotThere();
                if (pages >= MaxPages) return new ChatLookup.CannotTell($"the chat has more than {MaxPages * 50} messages since the card was first sent");
                page = await graph.Chats[chatId].Messages.WithUrl(next).GetAsync(cancellationToken: ct);
            }
            return new ChatLookup.NotThere();
        }
        catch (ODataError error) when (error.ResponseStatusCode is 429 or >= 500)
        {
            return new ChatLookup.Later($"Graph could not read the chat ({error.ResponseStatusCode})", RetryAfter(error));
        }
        catch (ODataError error) when (error.ResponseStatusCode is >= 400 and < 500)
        {
            var hint = error.ResponseStatusCode == 403 ? "; the service needs the Graph application permission Chat.Read.All" : "";
            return new ChatLookup.CannotTell($"Graph refused to read the chat ({error.ResponseStatusCode} {error.Error?.Code}{hint})");
        }
        catch (HttpRequestException ex)
        {
            return new ChatLookup.Later($"Graph could not be reached ({ex.Message})", null);
        }
    }

    internal static bool Carries(ChatMessage message, string marker) =>
        message.Attachments?.Any(a => a.Content?.Contains(marker, StringComparison.Ordinal) == true) == true
        || message.Body?.Content?.Contains(marker, StringComparison.Ordinal) == true;

    internal static TimeSpan? RetryAfter(ODataError error) =>
        error.ResponseHeaders is { } headers && headers.TryGetValue("Retry-After", out var values)
        && int.TryParse(values.FirstOrDefault(), out var seconds) ? TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 3600)) : null;
}
