namespace IoTOwnerBot.Owners;

/// <summary>The configured fallback contacts: asked about the whole incident when no source names anyone.</summary>
internal static class FallbackOwners
{
    public static IReadOnlyList<string> For(OwnerOptions options) =>
        options.FallbackContacts.Select(c => c.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
