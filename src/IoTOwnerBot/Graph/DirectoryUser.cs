namespace IoTOwnerBot.Graph;

/// <summary>A directory user as the bot needs them: who to ask, where, in which language.</summary>
public sealed record DirectoryUser(string ObjectId, string? UserPrincipalName, string? Mail, string? DisplayName, string? PreferredLanguage);
