using System.Collections.Immutable;
using System.Globalization;

namespace IoTOwnerBot.Cards;

/// <summary>
/// The template version of every card a question may show, fixed when the question is sent. A question stores
/// <see cref="ToString"/> and hands <see cref="Parse"/>'s result back to the composer for every later card
/// (answered, expired, refresh), so cards sent before an upgrade keep their shape and their callbacks.
/// </summary>
public sealed class CardVersions : IEquatable<CardVersions>
{
    private readonly ImmutableSortedDictionary<string, int> _versions;

    public CardVersions(IEnumerable<KeyValuePair<string, int>> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        _versions = versions.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    public static CardVersions Empty { get; } = new([]);

    /// <summary>Versions by card key (<c>owner-question/email</c>).</summary>
    public IReadOnlyDictionary<string, int> Versions => _versions;

    public int? Get(string cardId, CardChannel channel) =>
        _versions.TryGetValue(CardCatalog.Key(cardId, channel), out var version) ? version : null;

    /// <summary>Compact, stable text form, e.g. <c>owner-answered/email=1;owner-question/email=2</c>.</summary>
    public override string ToString() =>
        string.Join(';', _versions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}")));

    public static CardVersions Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var pairs = new List<KeyValuePair<string, int>>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(part[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            {
                throw new FormatException($"'{part}' is not a card version (expected card/channel=N).");
            }

            pairs.Add(new(part[..eq], version));
        }

        return new CardVersions(pairs);
    }

    public bool Equals(CardVersions? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as CardVersions);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}
