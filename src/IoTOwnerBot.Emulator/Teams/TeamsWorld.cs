using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Emulator.Teams;

/// <summary>
/// Teams as the bot sees it: which users have the app installed (the org catalog holds one app,
/// <see cref="CatalogAppId"/>), the bot's 1:1 chat with each user and the messages in it, and where the bot's messaging
/// endpoint is. Thread-safe; getters return snapshots.
/// </summary>
public sealed class TeamsWorld : IResettable
{
    /// <summary>The org catalog id of the bot's Teams app (what Graph <c>teamsApp@odata.bind</c> points at).</summary>
    public const string CatalogAppId = "8e1b7c55-0c1a-4e9b-9a57-0d6a3f2b4c11";

    /// <summary>The manifest id (<c>externalId</c>) of that app.</summary>
    public const string ManifestAppId = "2f0a6c8e-5b1d-4f3a-9e7c-1d2b3a4c5e6f";

    private readonly Lock _gate = new();
    private readonly EmulatorContext _context;
    private readonly Func<string, DirectoryUser?> _findUser;
    private readonly Func<IReadOnlyList<DirectoryUser>> _users;
    private readonly Dictionary<string, string> _installations = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Chat> _chats = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<ChannelThread>> _threads = new(StringComparer.Ordinal);
    private long _messageSequence;

    /// <summary>The SOC's team (its id is that of its General channel), with the bot installed.</summary>
    public const string SocTeamId = "19:3d6c0a1e5f7b4c2a9e8d1f0b6a4c2e7d@thread.tacv2";
    public const string SocTeamName = "Security Operations";

    /// <summary>The SOC team's Microsoft 365 group id: what Graph's <c>teams/{id}</c> takes.</summary>
    public const string SocTeamGroupId = "5c1f7a3e-2b9d-4e60-8f14-7a2d9c3b6e05";

    /// <summary>The team's channel for IoT incidents, where the bot starts a thread per incident.</summary>
    public const string SocChannelId = "19:9b2e4f6a8c0d4e1f3a5b7c9d1e3f5a7b@thread.tacv2";
    public const string SocChannelName = "IoT incidents";

    /// <summary>Members of the SOC team (UPNs): the OT security lead, and a plant manager who may read but is no SOC member.</summary>
    public static readonly IReadOnlyList<string> SocTeamMembers = ["olivia.brown@contoso.example", "hans.weber@contoso.example"];

    internal TeamsWorld(EmulatorContext context, Func<string, DirectoryUser?> findUser, Func<IReadOnlyList<DirectoryUser>> users)
    {
        _context = context;
        _findUser = findUser;
        _users = users;
    }

    /// <summary>Where activities for the bot are POSTed (the bot's <c>/api/messages</c>); set by admin or a click.</summary>
    public string? MessagingEndpoint
    {
        get { lock (_gate) { return _messagingEndpoint; } }
        set { lock (_gate) { _messagingEndpoint = value; } }
    }

    private string? _messagingEndpoint;

    /// <summary>The bot's Microsoft App ID, when registered; known anyway once the bot created a conversation.</summary>
    public string? BotAppId
    {
        get { lock (_gate) { return _botAppId; } }
        set { lock (_gate) { _botAppId = value; } }
    }

    private string? _botAppId;

    /// <summary>Back to no app installs, chats or channel threads (where the bot listens is kept).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _installations.Clear();
            _chats.Clear();
            _threads.Clear();
        }
    }

    /// <summary>The bot-scoped Teams user id (<c>29:…</c>) of a directory user: stable, not derived visibly from the oid.</summary>
    public static string TeamsUserId(string objectId) =>
        "29:1" + Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("teams-user:" + objectId.ToLowerInvariant())))[..40];

    /// <summary>A user by object id, UPN or <c>29:</c> id.</summary>
    public DirectoryUser? FindUser(string idUpnOrTeamsId)
    {
        if (_findUser(idUpnOrTeamsId) is { } user)
        {
            return user;
        }
        return idUpnOrTeamsId.StartsWith("29:", StringComparison.Ordinal)
            ? _users().FirstOrDefault(u => TeamsUserId(u.Id) == idUpnOrTeamsId)
            : null;
    }

    // ---------- App installation (Graph) ----------

    public bool IsInstalled(string objectId) => InstallationOf(objectId) is not null;

    /// <summary>The Graph installation id of the app for a user, or null when it is not installed.</summary>
    public string? InstallationOf(string objectId)
    {
        lock (_gate)
        {
            return _installations.GetValueOrDefault(objectId);
        }
    }

    /// <summary>Installs the app for a user; false when it already was.</summary>
    public bool Install(string objectId, out string installationId)
    {
        lock (_gate)
        {
            if (_installations.TryGetValue(objectId, out var existing))
            {
                installationId = existing;
                return false;
            }
            installationId = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes($"{objectId}##{CatalogAppId}"));
            _installations[objectId] = installationId;
            return true;
        }
    }

    public void Uninstall(string objectId)
    {
        lock (_gate)
        {
            _installations.Remove(objectId);
        }
    }

    // ---------- Conversations (Bot Connector) ----------

    /// <summary>Creates (or returns) the bot's 1:1 conversation with a user; the app must be installed for them.</summary>
    internal Outcome<string> CreateConversation(DirectoryUser user, string botId)
    {
        lock (_gate)
        {
            _botAppId ??= botId.StartsWith("28:", StringComparison.Ordinal) ? botId[3..] : botId;
            if (!_installations.ContainsKey(user.Id))
            {
                return Outcome<string>.Fail(StatusCodes.Status403Forbidden, "ForbiddenOperationException",
                    "Bot is not installed in user's personal scope");
            }
            if (!_chats.TryGetValue(user.Id, out var chat))
            {
                var hash = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"chat:{botId}:{user.Id}".ToLowerInvariant())))[..40];
                chat = new Chat(user.Id, TeamsUserId(user.Id), $"a:1{hash}", botId);
                _chats[user.Id] = chat;
            }
            return Outcome<string>.Ok(chat.ConversationId, StatusCodes.Status201Created);
        }
    }

    // ---------- Channels (the SOC team) ----------

    /// <summary>
    /// <c>POST v3/conversations</c> with <c>channelData.channel.id</c>: a new thread whose root is
    /// <paramref name="activity"/>; returns the thread's conversation id (<c>{channelId};messageid={rootId}</c>) and the root id.
    /// </summary>
    internal Outcome<(string ConversationId, string RootId)> CreateThread(string channelId, JsonObject activity, string botId)
    {
        lock (_gate)
        {
            if (channelId != SocChannelId && channelId != SocTeamId)
            {
                return Outcome<(string, string)>.Fail(StatusCodes.Status404NotFound, "ConversationNotFound", "Conversation not found.");
            }
            var rootId = NextId();
            var conversationId = $"{channelId};messageid={rootId}";
            var thread = new ChannelThread(channelId, conversationId, botId);
            thread.Messages.Add(new Message(rootId, Stored(activity, rootId, botId, conversationId, "channel"), _context.UtcNow));
            if (!_threads.TryGetValue(channelId, out var list))
            {
                _threads[channelId] = list = [];
            }
            list.Add(thread);
            return Outcome<(string, string)>.Ok((conversationId, rootId), StatusCodes.Status201Created);
        }
    }

    /// <summary>The SOC channel (or the team's General channel) with its threads, oldest first; null for an unknown id.</summary>
    public TeamsChannel? Channel(string channelId)
    {
        if (channelId != SocChannelId && channelId != SocTeamId)
        {
            return null;
        }
        lock (_gate)
        {
            var threads = _threads.GetValueOrDefault(channelId) ?? [];
            return new TeamsChannel(
                SocTeamId, SocTeamName, channelId, channelId == SocTeamId ? "General" : SocChannelName,
                [.. SocTeamMembers.Select(upn => _findUser(upn)).OfType<DirectoryUser>().Select(u => new TeamsChannelMember(u.Id, u.UserPrincipalName, u.DisplayName, TeamsUserId(u.Id)))],
                [.. threads.Select(t => new TeamsChannelThread(t.ConversationId, Snapshot(t.Messages[0]), [.. t.Messages.Skip(1).Select(Snapshot)]))]);
        }
    }

    /// <summary>Is the user (object id, UPN or 29: id) a member of the SOC team?</summary>
    public bool IsSocTeamMember(string user) =>
        FindUser(user) is { } who && SocTeamMembers.Any(upn => string.Equals(upn, who.UserPrincipalName, StringComparison.OrdinalIgnoreCase));

    private ChannelThread? FindThread(string conversationId) =>
        _threads.Values.SelectMany(t => t).FirstOrDefault(t => string.Equals(t.ConversationId, conversationId, StringComparison.Ordinal));

    private string NextId() =>
        (_context.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1000 + (++_messageSequence % 1000)).ToString(CultureInfo.InvariantCulture);

    private JsonObject Stored(JsonObject activity, string id, string botId, string conversationId, string conversationType)
    {
        var stored = (JsonObject)activity.DeepClone();
        stored["id"] = id;
        stored["timestamp"] = _context.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        stored["from"] = new JsonObject { ["id"] = botId, ["role"] = "bot" };
        stored["conversation"] = new JsonObject { ["id"] = conversationId, ["conversationType"] = conversationType, ["tenantId"] = _context.TenantId };
        return stored;
    }

    private static TeamsChatMessage Snapshot(Message m) => new(m.Id, (JsonObject)m.Activity.DeepClone(), m.CreatedAt, m.UpdatedAt, m.Updates);

    internal Outcome<string> Post(string conversationId, JsonObject activity)
    {
        lock (_gate)
        {
            if (FindThread(conversationId) is { } thread)
            {
                var replyId = NextId();
                var reply = Stored(activity, replyId, thread.BotId, conversationId, "channel");
                reply["replyToId"] = thread.Messages[0].Id;
                thread.Messages.Add(new Message(replyId, reply, _context.UtcNow));
                return Outcome<string>.Ok(replyId, StatusCodes.Status201Created);
            }
            if (FindChat(conversationId) is not { } chat)
            {
                return ConversationNotFound<string>();
            }
            var id = (_context.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1000 + (++_messageSequence % 1000)).ToString(CultureInfo.InvariantCulture);
            var stored = (JsonObject)activity.DeepClone();
            stored["id"] = id;
            stored["timestamp"] = _context.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            stored["from"] = new JsonObject { ["id"] = chat.BotId, ["role"] = "bot" };
            stored["conversation"] = new JsonObject { ["id"] = chat.ConversationId, ["conversationType"] = "personal", ["tenantId"] = _context.TenantId };
            chat.Messages.Add(new Message(id, stored, _context.UtcNow));
            return Outcome<string>.Ok(id, StatusCodes.Status201Created);
        }
    }

    internal Outcome<string> Update(string conversationId, string activityId, JsonObject activity)
    {
        lock (_gate)
        {
            var messages = FindThread(conversationId)?.Messages ?? FindChat(conversationId)?.Messages;
            if (messages is null)
            {
                return ConversationNotFound<string>();
            }
            if (messages.FirstOrDefault(m => m.Id == activityId) is not { } message)
            {
                return Outcome<string>.Fail(StatusCodes.Status404NotFound, "NotFound", $"Activity '{activityId}' was not found in the conversation.");
            }
            var stored = (JsonObject)activity.DeepClone();
            stored["id"] = activityId;
            stored["timestamp"] = message.Activity["timestamp"]?.DeepClone();
            stored["from"] = message.Activity["from"]?.DeepClone();
            stored["conversation"] = message.Activity["conversation"]?.DeepClone();
            message.Activity = stored;
            message.UpdatedAt = _context.UtcNow;
            message.Updates++;
            return Outcome<string>.Ok(activityId);
        }
    }

    /// <summary>
    /// Graph's id of the chat between a user and the bot's app (<c>19:{userId}_{botAppId}@unq.gbl.spaces</c>), which
    /// is not the Connector's <c>a:</c> conversation id.
    /// </summary>
    public string GraphChatId(string objectId)
    {
        lock (_gate)
        {
            return $"19:{objectId.ToLowerInvariant()}_{_botAppId ?? CatalogAppId}@unq.gbl.spaces";
        }
    }

    /// <summary>The messages of a chat by its Graph id, oldest first; null for a chat that does not exist (app not installed, no conversation).</summary>
    internal IReadOnlyList<TeamsChatMessage>? GraphChatMessages(string chatId)
    {
        if (!chatId.StartsWith("19:", StringComparison.Ordinal) || !chatId.EndsWith("@unq.gbl.spaces", StringComparison.Ordinal) || chatId.IndexOf('_', StringComparison.Ordinal) < 0)
        {
            return null;
        }
        var userId = chatId[3..chatId.IndexOf('_', StringComparison.Ordinal)];
        lock (_gate)
        {
            if (!string.Equals(GraphChatId(userId), chatId, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            var key = _chats.Keys.FirstOrDefault(k => string.Equals(k, userId, StringComparison.OrdinalIgnoreCase))
                ?? _installations.Keys.FirstOrDefault(k => string.Equals(k, userId, StringComparison.OrdinalIgnoreCase));
            if (key is null)
            {
                return null;
            }
            return _chats.TryGetValue(key, out var chat)
                ? [.. chat.Messages.Select(m => new TeamsChatMessage(m.Id, (JsonObject)m.Activity.DeepClone(), m.CreatedAt, m.UpdatedAt, m.Updates))]
                : [];
        }
    }

    /// <summary>The chat of a user (object id, UPN or <c>29:</c> id), or null when the bot never talked to them.</summary>
    public TeamsChat? ChatOf(string user)
    {
        var who = FindUser(user);
        lock (_gate)
        {
            var id = who?.Id ?? user;
            return _chats.TryGetValue(id, out var chat)
                ? Snapshot(chat, who)
                : null;
        }
    }

    public IReadOnlyList<TeamsChat> Chats
    {
        get
        {
            lock (_gate)
            {
                return [.. _chats.Values.Select(c => Snapshot(c, _findUser(c.UserId)))];
            }
        }
    }

    private TeamsChat Snapshot(Chat chat, DirectoryUser? user) => new(
        chat.UserId,
        user?.UserPrincipalName,
        chat.TeamsUserId,
        chat.ConversationId,
        chat.BotId,
        _installations.ContainsKey(chat.UserId),
        [.. chat.Messages.Select(m => new TeamsChatMessage(m.Id, (JsonObject)m.Activity.DeepClone(), m.CreatedAt, m.UpdatedAt, m.Updates))]);

    private Chat? FindChat(string conversationId) =>
        _chats.Values.FirstOrDefault(c => string.Equals(c.ConversationId, conversationId, StringComparison.Ordinal));

    private static Outcome<T> ConversationNotFound<T>() =>
        Outcome<T>.Fail(StatusCodes.Status404NotFound, "ConversationNotFound", "Conversation not found.");

    private sealed class Chat(string userId, string teamsUserId, string conversationId, string botId)
    {
        public string UserId { get; } = userId;
        public string TeamsUserId { get; } = teamsUserId;
        public string ConversationId { get; } = conversationId;
        public string BotId { get; } = botId;
        public List<Message> Messages { get; } = [];
    }

    private sealed class ChannelThread(string channelId, string conversationId, string botId)
    {
        public string ChannelId { get; } = channelId;
        public string ConversationId { get; } = conversationId;
        public string BotId { get; } = botId;
        public List<Message> Messages { get; } = [];
    }

    private sealed class Message(string id, JsonObject activity, DateTime createdAt)
    {
        public string Id { get; } = id;
        public JsonObject Activity { get; set; } = activity;
        public DateTime CreatedAt { get; } = createdAt;
        public DateTime? UpdatedAt { get; set; }
        public int Updates { get; set; }
    }
}

/// <summary>The bot's 1:1 chat with one user (<c>GET /admin/teams/{user}</c>). Messages oldest first.</summary>
public sealed record TeamsChat(
    string UserId,
    string? UserPrincipalName,
    string TeamsUserId,
    string ConversationId,
    string BotId,
    bool AppInstalled,
    IReadOnlyList<TeamsChatMessage> Messages);

/// <summary>A team channel (<c>GET /admin/teams/channels/{channelId}</c>): its members and the bot's threads, oldest first.</summary>
public sealed record TeamsChannel(
    string TeamId,
    string TeamName,
    string ChannelId,
    string ChannelName,
    IReadOnlyList<TeamsChannelMember> Members,
    IReadOnlyList<TeamsChannelThread> Threads);

public sealed record TeamsChannelMember(string ObjectId, string? UserPrincipalName, string? DisplayName, string TeamsUserId);

/// <summary>A thread the bot started: its root message (with its update count) and the replies, oldest first.</summary>
public sealed record TeamsChannelThread(string ConversationId, TeamsChatMessage Root, IReadOnlyList<TeamsChatMessage> Replies);

/// <summary>A message the bot sent, as it stands now (after any PUT).</summary>
public sealed record TeamsChatMessage(string Id, JsonObject Activity, DateTime CreatedAt, DateTime? UpdatedAt, int UpdateCount)
{
    /// <summary>The Adaptive Card of the first attachment, if any.</summary>
    public JsonObject? Card => Activity["attachments"]?.AsArray().FirstOrDefault()?["content"] as JsonObject;
}
