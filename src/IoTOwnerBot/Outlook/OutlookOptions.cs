using System.Security.Cryptography;
using System.Text;
using IoTOwnerBot.Hosting;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// Configuration section <c>Outlook</c>: the sender mailbox, the Entra app that Microsoft's Actionable Messages
/// service gets click tokens for, and the keys of our own limited-purpose action tokens. The card's
/// <c>originator</c> (provider id) is <c>Cards:Originator</c>.
/// </summary>
public sealed class OutlookOptions
{
    public const string SectionName = "Outlook";

    /// <summary>The Actions service app that calls Action.Http targets on the user's behalf.</summary>
    public const string ActionableMessagesAppId = "48af08dc-f6d2-435f-b2a7-069abd99c086";

    /// <summary>False: no e-mail is sent and the action endpoint is not served.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>UPN of the mailbox the questions are sent from (a registered sender of the provider), when there is one.</summary>
    public string? SenderMailbox { get; set; }

    /// <summary>
    /// A pool of sender mailboxes (UPNs, each a registered sender of the provider) used in rotation: each has its own
    /// Exchange limits, so a pool of N sends N times as much. Empty: <see cref="SenderMailbox"/> alone.
    /// </summary>
    public List<string> SenderMailboxes { get; set; } = [];

    /// <summary>Exchange Online's message rate per sender mailbox (30 a minute; it cannot be raised).</summary>
    public int MessagesPerMinute { get; set; } = 30;

    /// <summary>Exchange Online's recipients per sender mailbox in any 24 hours (10,000; past it the mailbox sends nothing).</summary>
    public int RecipientsPerDay { get; set; } = 10_000;

    /// <summary>The part of <see cref="RecipientsPerDay"/> ordinary questions may not use: kept for reminders and high-severity questions.</summary>
    public int ReservedRecipients { get; set; } = 1_000;

    /// <summary>Graph's concurrent requests per mailbox (4), shared by the instances (<c>Jobs:Instances</c>).</summary>
    public int MailboxConcurrency { get; set; } = 4;

    /// <summary>After Exchange refuses a mailbox for its daily quota, how long before one message tries it again.</summary>
    public TimeSpan BlockedSenderRetry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The sender mailboxes in use: <see cref="SenderMailboxes"/>, else <see cref="SenderMailbox"/>.</summary>
    public IReadOnlyList<string> Senders => SenderMailboxes.Count > 0 ? SenderMailboxes : SenderMailbox is { Length: > 0 } one ? [one] : [];

    /// <summary>Application ID URI of the provider's Entra app (<c>api://auth-am-…/{appId}</c>): the audience of v1 click tokens.</summary>
    public string? AppIdUri { get; set; }

    /// <summary>Client id of the provider's Entra app: the audience of v2 click tokens.</summary>
    public string? ClientId { get; set; }

    /// <summary>The scope the app exposes and pre-authorizes for the Actions service (e.g. <c>Global.Test</c>).</summary>
    public string? RequiredScope { get; set; }

    /// <summary>Tenants whose users may click; empty means the service's own tenant (<c>Credentials:TenantId</c>).</summary>
    public List<string> AllowedTenants { get; set; } = [];

    /// <summary>HMAC keys of the limited-purpose action tokens: the first signs, all verify (rotation). Secret store only.</summary>
    public List<ActionTokenKey> ActionTokenKeys { get; set; } = [];

    /// <summary>How long the buttons of a sent card work; Outlook refuses actions on messages older than a month.</summary>
    public TimeSpan ActionTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// After an attempt whose outcome is unknown (5xx, timeout, crash), how long to wait before looking in the sender's
    /// Sent Items for the message and sending again only if it is not there. Exchange saves the copy asynchronously.
    /// </summary>
    public TimeSpan UncertainSendRecheckDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Tenants to accept: the configured list, else the service's own.</summary>
    public IReadOnlyList<string> TenantsOr(string? ownTenant) =>
        AllowedTenants.Count > 0 ? AllowedTenants : [ownTenant ?? LocalDefaults.TenantId];
}

public sealed class ActionTokenKey
{
    /// <summary>Short key id carried in every token, so the right key verifies it after a rotation.</summary>
    public string Id { get; set; } = "";

    /// <summary>At least 32 bytes (UTF-8).</summary>
    public string Secret { get; set; } = "";
}

/// <summary>Local mode without configured keys: one random key for this run (cards from earlier runs stop working).</summary>
internal sealed class OutlookLocalDefaults(IOptions<CredentialOptions> credentials) : IPostConfigureOptions<OutlookOptions>
{
    private readonly Lazy<string> _ephemeral = new(() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));

    public void PostConfigure(string? name, OutlookOptions options)
    {
        if (credentials.Value.Mode == CredentialMode.Local && options.ActionTokenKeys.Count == 0)
            options.ActionTokenKeys.Add(new ActionTokenKey { Id = "local", Secret = _ephemeral.Value });
    }
}

internal sealed class OutlookOptionsValidator : IValidateOptions<OutlookOptions>
{
    public ValidateOptionsResult Validate(string? name, OutlookOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        var failures = new List<string>();
        if (options.Senders.Count == 0)
            failures.Add("Outlook:SenderMailbox is required (UPN or object id of a registered sender of the actionable-message provider), or the pool Outlook:SenderMailboxes; or set Outlook:Enabled to false.");
        for (var i = 0; i < options.SenderMailboxes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.SenderMailboxes[i]) || options.SenderMailboxes[i].Length > 320)
                failures.Add($"Outlook:SenderMailboxes:{i} must be a mailbox UPN.");
        }
        if (options.SenderMailboxes.Distinct(StringComparer.OrdinalIgnoreCase).Count() != options.SenderMailboxes.Count)
            failures.Add("Outlook:SenderMailboxes lists a mailbox twice.");
        if (options.MessagesPerMinute is < 1 or > 30)
            failures.Add("Outlook:MessagesPerMinute must be 1 to 30 (Exchange Online's limit per mailbox is 30).");
        if (options.RecipientsPerDay is < 1 or > 10_000)
            failures.Add("Outlook:RecipientsPerDay must be 1 to 10000 (Exchange Online's limit per mailbox is 10,000 in 24 hours).");
        if (options.ReservedRecipients < 0 || options.ReservedRecipients >= options.RecipientsPerDay)
            failures.Add("Outlook:ReservedRecipients must be at least 0 and less than Outlook:RecipientsPerDay.");
        if (options.MailboxConcurrency is < 1 or > 4)
            failures.Add("Outlook:MailboxConcurrency must be 1 to 4 (Graph's concurrent requests per mailbox).");
        if (options.BlockedSenderRetry < TimeSpan.FromMinutes(1) || options.BlockedSenderRetry > TimeSpan.FromHours(24))
            failures.Add("Outlook:BlockedSenderRetry must be between 1 minute and 24 hours.");
        if (string.IsNullOrWhiteSpace(options.AppIdUri) && string.IsNullOrWhiteSpace(options.ClientId))
            failures.Add("Outlook:AppIdUri (v1 tokens) and/or Outlook:ClientId (v2 tokens) of the provider's Entra app must be set, or no click can be verified.");
        if (options.ClientId is { Length: > 0 } clientId && !Guid.TryParse(clientId, out _))
            failures.Add("Outlook:ClientId must be the app's client id (a GUID).");
        if (string.IsNullOrWhiteSpace(options.RequiredScope))
            failures.Add("Outlook:RequiredScope is required: the scope the provider's app exposes to the Actions service (e.g. Global.Test).");
        if (options.AllowedTenants.Any(t => !Guid.TryParse(t, out _)))
            failures.Add("Outlook:AllowedTenants entries must be tenant GUIDs.");
        if (options.ActionTokenKeys.Count == 0)
            failures.Add("Outlook:ActionTokenKeys needs at least one {Id, Secret} (from a secret store; the first signs, all verify).");
        for (var i = 0; i < options.ActionTokenKeys.Count; i++)
        {
            var key = options.ActionTokenKeys[i];
            if (string.IsNullOrWhiteSpace(key.Id) || key.Id.Length > 32 || key.Id.Contains('.', StringComparison.Ordinal))
                failures.Add($"Outlook:ActionTokenKeys:{i}:Id must be 1-32 characters without '.'.");
            if (Encoding.UTF8.GetByteCount(key.Secret ?? "") < 32)
                failures.Add($"Outlook:ActionTokenKeys:{i}:Secret must be at least 32 bytes.");
        }
        if (options.ActionTokenKeys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != options.ActionTokenKeys.Count)
            failures.Add("Outlook:ActionTokenKeys ids must be unique.");
        if (options.ActionTokenLifetime < TimeSpan.FromMinutes(1) || options.ActionTokenLifetime >= TimeSpan.FromDays(30))
            failures.Add("Outlook:ActionTokenLifetime must be at least 1 minute and under 30 days (Outlook's action window).");
        if (options.UncertainSendRecheckDelay < TimeSpan.Zero || options.UncertainSendRecheckDelay > TimeSpan.FromHours(1))
            failures.Add("Outlook:UncertainSendRecheckDelay must be between 0 and 1 hour.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
