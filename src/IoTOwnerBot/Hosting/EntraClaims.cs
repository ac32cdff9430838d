using System.Security.Claims;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// The claims of a validated Entra ID access token that the service reads, taken in one pass over the principal's
/// claims (each <see cref="ClaimsPrincipal.FindFirst(string)"/> walks them again and allocates): the first value of
/// each type, matched case-sensitively as JWT claim names are.
/// </summary>
public readonly record struct EntraClaims(
    string? ObjectId, string? TenantId, string? Version, string? Issuer, string? AppId, string? AuthorizedParty, string? Scopes,
    string? Upn, string? PreferredUsername, string? UniqueName, string? Name)
{
    /// <summary>The user's sign-in name: <c>upn</c>, else <c>preferred_username</c>, else <c>unique_name</c>.</summary>
    public string? UserPrincipalName => Upn ?? PreferredUsername ?? UniqueName;

    public static EntraClaims Of(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        string? oid = null, tid = null, ver = null, iss = null, appid = null, azp = null, scp = null, upn = null, preferred = null, unique = null, name = null;
        foreach (var claim in user.Claims)
        {
            switch (claim.Type)
            {
                case "oid": oid ??= claim.Value; break;
                case "tid": tid ??= claim.Value; break;
                case "ver": ver ??= claim.Value; break;
                case "iss": iss ??= claim.Value; break;
                case "appid": appid ??= claim.Value; break;
                case "azp": azp ??= claim.Value; break;
                case "scp": scp ??= claim.Value; break;
                case "upn": upn ??= claim.Value; break;
                case "preferred_username": preferred ??= claim.Value; break;
                case "unique_name": unique ??= claim.Value; break;
                case "name": name ??= claim.Value; break;
            }
        }
        return new EntraClaims(oid, tid, ver, iss, appid, azp, scp, upn, preferred, unique, name);
    }

    /// <summary>Whether the space-separated <c>scp</c> claim holds <paramref name="scope"/> (case-insensitive).</summary>
    public bool HasScope(string? scope)
    {
        if (string.IsNullOrEmpty(scope) || Scopes is null) return false;
        foreach (var range in Scopes.AsSpan().Split(' '))
            if (Scopes.AsSpan()[range].Equals(scope, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
