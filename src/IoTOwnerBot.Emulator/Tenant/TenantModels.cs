namespace IoTOwnerBot.Emulator.Tenant;

/// <summary>A user of the emulated tenant. <see cref="Mail"/> null means the user has no mailbox.</summary>
public sealed record DirectoryUser
{
    public required string Id { get; init; }
    public required string UserPrincipalName { get; init; }
    public required string DisplayName { get; init; }
    public string? Mail { get; init; }
    public string? GivenName { get; init; }
    public string? Surname { get; init; }
    public string? JobTitle { get; init; }
    public string? OfficeLocation { get; init; }
    public string? PreferredLanguage { get; init; }

    /// <summary>Windows time zone name as Graph mailboxSettings returns it, e.g. <c>W. Europe Standard Time</c>.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Manager's id or UPN.</summary>
    public string? Manager { get; init; }

    /// <summary>
    /// Every address mail to this user is delivered at, as Entra keeps them: <c>SMTP:</c> marks the primary address,
    /// <c>smtp:</c> an alias. Left empty, a user with a mailbox has only its primary address.
    /// </summary>
    public IReadOnlyList<string>? ProxyAddresses { get; init; }

    /// <summary>The proxy addresses Graph returns: the configured ones, or the primary address alone.</summary>
    public IReadOnlyList<string> EffectiveProxyAddresses =>
        ProxyAddresses is { Count: > 0 } addresses ? addresses : Mail is null ? [] : [$"SMTP:{Mail}"];

    /// <summary>Whether mail to <paramref name="address"/> reaches this user (primary address or an alias).</summary>
    public bool ReceivesMailAt(string address) =>
        string.Equals(Mail, address, StringComparison.OrdinalIgnoreCase)
        || EffectiveProxyAddresses.Any(p => p.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase)
                                            && string.Equals(p[5..], address, StringComparison.OrdinalIgnoreCase));

    public bool Matches(string idOrUpn) =>
        string.Equals(Id, idOrUpn, StringComparison.OrdinalIgnoreCase)
        || string.Equals(UserPrincipalName, idOrUpn, StringComparison.OrdinalIgnoreCase);
}

/// <summary>An address on a message.</summary>
public sealed record MailAddress(string Address, string? Name = null);

public sealed record MessageHeader(string Name, string Value);

/// <summary>A message as a mailbox holds it (inbox or sent items).</summary>
public sealed record MailMessage
{
    public required string Id { get; init; }
    public required string InternetMessageId { get; init; }
    public required string Subject { get; init; }
    public string BodyContentType { get; init; } = "HTML";
    public required string Body { get; init; }
    public required MailAddress From { get; init; }
    public IReadOnlyList<MailAddress> To { get; init; } = [];
    public IReadOnlyList<MailAddress> Cc { get; init; } = [];
    public IReadOnlyList<MessageHeader> InternetMessageHeaders { get; init; } = [];
    public string Importance { get; init; } = "normal";
    public DateTime ReceivedAt { get; init; }
}

/// <summary>What <c>GET /admin/mailboxes/{address}</c> returns. Messages are oldest first, newest last.</summary>
public sealed record MailboxView(string Address, bool IsExternal, IReadOnlyList<MailMessage> Messages, IReadOnlyList<MailMessage> SentItems);

public sealed record MailboxSummary(string Address, bool IsExternal, int MessageCount, int SentItemCount);
