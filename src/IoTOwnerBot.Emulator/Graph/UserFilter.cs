using System.Text.RegularExpressions;

using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Graph;

/// <summary>The subset of OData <c>$filter</c> on users that Graph serves without advanced query parameters.</summary>
internal static partial class UserFilter
{
    /// <summary>The predicate of <paramref name="filter"/>, or null when Graph would refuse it.</summary>
    public static Func<DirectoryUser, bool>? Parse(string filter)
    {
        if (Equality().Match(filter) is { Success: true } eq)
        {
            var value = Unquote(eq.Groups["value"].Value);
            Func<DirectoryUser, string?>? property = eq.Groups["property"].Value.ToLowerInvariant() switch
            {
                "id" => u => u.Id,
                "userprincipalname" => u => u.UserPrincipalName,
                "mail" => u => u.Mail,
                "displayname" => u => u.DisplayName,
                _ => null,
            };
            return property is null ? null : u => string.Equals(property(u), value, StringComparison.OrdinalIgnoreCase);
        }
        if (AnyProxyAddress().Match(filter) is { Success: true } any && any.Groups["variable"].Value == any.Groups["again"].Value)
        {
            var value = Unquote(any.Groups["value"].Value);
            return u => u.EffectiveProxyAddresses.Any(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
        }
        return null;
    }

    private static string Unquote(string literal) => literal.Replace("''", "'", StringComparison.Ordinal);

    [GeneratedRegex(@"^\s*(?<property>[A-Za-z]+)\s+eq\s+'(?<value>(?:[^']|'')*)'\s*$")]
    private static partial Regex Equality();

    [GeneratedRegex(@"^\s*proxyAddresses/any\(\s*(?<variable>[A-Za-z]\w*)\s*:\s*(?<again>[A-Za-z]\w*)\s+eq\s+'(?<value>(?:[^']|'')*)'\s*\)\s*$")]
    private static partial Regex AnyProxyAddress();
}
