using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Questions;

/// <summary>
/// The one decision "who does this responder answer for", for every channel, the digest and every card refresh: the
/// recipient themselves, matched by Entra object id (immutable) and, only when one side has no object id, by UPN; or an
/// owner the responder is a configured delegate of (<c>Decision:Delegates</c>). A card bound to one recipient (its
/// token) narrows the candidates to that recipient.
/// </summary>
public sealed class ResponderCheck(IOptionsMonitor<DecisionOptions> decision)
{
    /// <summary>The recipient the responder may answer for, or null when they were not asked (nor delegated).</summary>
    /// <param name="boundTo">The recipient the card was sent to (object id or address), or null for any recipient.</param>
    public Recipient? AnswersFor(IEnumerable<Recipient> recipients, Responder responder, string? boundTo = null) =>
        AnswersFor(recipients, responder, boundTo, decision.CurrentValue.Delegates);

    /// <inheritdoc cref="AnswersFor(IEnumerable{Recipient}, Responder, string?)"/>
    public static Recipient? AnswersFor(IEnumerable<Recipient> recipients, Responder responder, string? boundTo, IReadOnlyList<DelegateEntry> delegates)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(responder);
        ArgumentNullException.ThrowIfNull(delegates);
        // Loops rather than LINQ: this runs on every click and card refresh.
        foreach (var recipient in recipients)
            if (IsCandidate(recipient, boundTo) && IsThemselves(recipient, responder)) return recipient;

        foreach (var entry in delegates)
        {
            if (!IsDelegate(entry, responder)) continue;
            foreach (var recipient in recipients)
                if (IsCandidate(recipient, boundTo) && (IsKeyOf(recipient, entry.Owner) || Same(entry.Owner, recipient.UserPrincipalName))) return recipient;
        }
        return null;
    }

    private static bool IsCandidate(Recipient recipient, string? boundTo) => boundTo is null || IsKeyOf(recipient, boundTo);

    private static bool IsDelegate(DelegateEntry entry, Responder responder)
    {
        foreach (var name in entry.Delegates)
            if (Same(name, responder.ObjectId) || Same(name, responder.UserPrincipalName)) return true;
        return false;
    }

    /// <summary>
    /// The responder is this recipient. The object id decides when both sides have one; a UPN is compared only when
    /// the directory did not know the owner or the channel did not say the object id (an address can be reassigned).
    /// </summary>
    public static bool IsThemselves(Recipient recipient, Responder responder)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(responder);
        if (recipient.ObjectId is { Length: > 0 } && responder.ObjectId is { Length: > 0 }) return Same(recipient.ObjectId, responder.ObjectId);
        return responder.UserPrincipalName is { Length: > 0 } upn
            && (Same(recipient.UserPrincipalName, upn) || Same(recipient.Address, upn) || Same(recipient.Mail, upn));
    }

    /// <summary>The key names this recipient: their object id, or (for owners without one) their address or mail.</summary>
    public static bool IsKeyOf(Recipient recipient, string? key)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return Same(key, recipient.ObjectId) || Same(key, recipient.Address) || Same(key, recipient.Mail);
    }

    private static bool Same(string? a, string? b) =>
        a is { Length: > 0 } && b is { Length: > 0 } && a.AsSpan().Trim().Equals(b.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);
}
