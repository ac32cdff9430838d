using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Entra;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>Teams: what the Bot Connector and Graph let a bot read of its 1:1 chat.</summary>
public sealed class TeamsEmulatorTests : EmulatorTest
{
    [Fact]
    public async Task BotConnector_CannotListActivities_Like_Teams()
    {
        var (conversationId, _) = await ChatWithPostsAsync(1);

        var response = await SendAsync(HttpMethod.Get, $"teams/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", BotToken());

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("does not support http method 'GET'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphChatMessages_ListTheBotsPostsNewestFirst_InPagesWithNextLink_CardsAsJsonText()
    {
        var (_, userId) = await ChatWithPostsAsync(3);
        var installations = await GetJsonAsync($"graph/v1.0/users/{userId}/teamwork/installedApps", GraphToken(GraphRoles));
        var installationId = (string)installations["value"]![0]!["id"]!;
        var chat = await GetJsonAsync($"graph/v1.0/users/{userId}/teamwork/installedApps/{installationId}/chat", GraphToken(GraphRoles));
        var chatId = (string)chat["id"]!;
        Assert.StartsWith("19:", chatId, StringComparison.Ordinal);
        Assert.Equal("oneOnOne", (string?)chat["chatType"]);

        var first = await GetJsonAsync($"graph/v1.0/chats/{Uri.EscapeDataString(chatId)}/messages?$top=2&$orderby=createdDateTime desc", GraphToken(GraphRoles));
        var next = (string)first["@odata.nextLink"]!;
        var second = await GetJsonAsync(next.Replace(Server.Base, "", StringComparison.Ordinal), GraphToken(GraphRoles));

        var markers = first["value"]!.AsArray().Concat(second["value"]!.AsArray())
            .Select(m => (string)JsonNode.Parse((string)m!["attachments"]![0]!["content"]!)!["body"]![0]!["text"]!).ToList();
        Assert.Equal(["card 3", "card 2", "card 1"], markers);
        Assert.Null(second["@odata.nextLink"]);
        var message = first["value"]![0]!;
        Assert.Equal("bot", (string?)message["from"]!["application"]!["applicationIdentityType"]);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)message["attachments"]![0]!["contentType"]);
        Assert.Contains("<attachment id=", (string?)message["body"]!["content"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$top=51", 400)]
    [InlineData("$orderby=createdDateTime asc", 400)]
    [InlineData("", 403)]
    public async Task GraphChatMessages_RefusesWhatGraphRefuses(string query, int status)
    {
        var (_, userId) = await ChatWithPostsAsync(1);
        var chatId = Server.Teams.GraphChatId(userId);
        var token = status == 403 ? GraphToken(["TeamsAppInstallation.ReadWriteSelfForUser.All"]) : GraphToken(GraphRoles);

        var response = await SendAsync(HttpMethod.Get, $"graph/v1.0/chats/{Uri.EscapeDataString(chatId)}/messages?{query}", token);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
    }

    [Fact]
    public async Task ActFirstFault_OnBotConnectorPost_PostsTheMessage_ThenAnswers502()
    {
        var (conversationId, userId) = await ChatWithPostsAsync(0);
        await Http.PostAsJsonAsync("admin/faults", new { method = "POST", pathContains = "/activities", status = 502, actFirst = true });

        var response = await SendAsync(HttpMethod.Post, $"teams/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", BotToken(), Card("lost answer"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Single(Server.Teams.ChatOf(userId)!.Messages);
    }

    private static readonly string[] GraphRoles = ["TeamsAppInstallation.ReadWriteSelfForUser.All", "Chat.Read.All"];

    /// <summary>Klaus with the app installed, the bot's 1:1 chat with him, and <paramref name="posts"/> cards in it.</summary>
    private async Task<(string ConversationId, string UserId)> ChatWithPostsAsync(int posts)
    {
        var userId = Server.Tenant.FindUser("klaus.schmidt@contoso.example")!.Id;
        Server.Teams.Install(userId, out _);
        var created = await SendAsync(HttpMethod.Post, "teams/v3/conversations", BotToken(), new
        {
            isGroup = false, tenantId = Server.TenantId, members = new[] { new { id = userId } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var conversationId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        for (var i = 1; i <= posts; i++)
        {
            var posted = await SendAsync(HttpMethod.Post, $"teams/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", BotToken(), Card($"card {i}"));
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }
        return (conversationId, userId);
    }

    private static object Card(string text) => new
    {
        type = "message",
        attachments = new[]
        {
            new { contentType = "application/vnd.microsoft.card.adaptive", content = new { type = "AdaptiveCard", version = "1.5", body = new[] { new { type = "TextBlock", text } } } },
        },
    };

    private string BotToken() => Server.MintToken(new TokenRequest { Audience = Server.BotScope.Replace("/.default", "", StringComparison.Ordinal) });

    private string GraphToken(IReadOnlyList<string> roles) => Server.MintToken(new TokenRequest { Audience = Server.GraphEndpoint, Roles = roles });
}
