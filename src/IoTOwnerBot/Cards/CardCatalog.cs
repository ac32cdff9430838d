using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IoTOwnerBot.Cards;

/// <summary>One template file in <c>cards/</c>: <c>{card}/{channel}.v{N}.json</c>, with its sample data beside it.</summary>
public sealed record CardTemplateFile(string CardId, CardChannel Channel, int Version, string RelativePath, string FullPath)
{
    /// <summary>Sample data beside the template: <c>{card}/{channel}.v{N}.sample.json</c>.</summary>
    public string SamplePath => Path.ChangeExtension(FullPath, ".sample.json");

    public string Key => CardCatalog.Key(CardId, Channel);
}

/// <summary>
/// The card catalog: every template version under <c>cards/</c> (parsed once at load), the current version of
/// each card (<c>cards/catalog.json</c>), the lock of released versions (<c>cards/cards.lock.json</c>) and the
/// localized card strings (<c>cards/strings/{language}.json</c>).
/// </summary>
/// <remarks>
/// A released version is immutable: the lock file holds the SHA-256 of every released template file. Loading fails
/// when a locked template is missing or changed, so an edited release can never be served; a template that is not yet
/// in the lock is a draft (allowed locally, refused by the test suite until it is locked).
/// </remarks>
public sealed partial class CardCatalog
{
    public const string ManifestFileName = "catalog.json";
    public const string LockFileName = "cards.lock.json";
    public const string StringsFolder = "strings";

    private readonly FrozenDictionary<(string Key, int Version), (CardTemplateFile File, CardTemplate Template)> _templates;
    private readonly FrozenDictionary<string, int> _current;
    private readonly FrozenDictionary<string, JsonObject> _strings;
    private readonly FrozenDictionary<string, string> _lock;
    private readonly ConcurrentDictionary<(string Language, string Default), JsonObject> _merged = new();

    private CardCatalog(
        string directory,
        FrozenDictionary<(string, int), (CardTemplateFile, CardTemplate)> templates,
        FrozenDictionary<string, int> current,
        FrozenDictionary<string, JsonObject> strings,
        FrozenDictionary<string, string> lockEntries)
    {
        Directory = directory;
        _templates = templates;
        _current = current;
        _strings = strings;
        _lock = lockEntries;
        CurrentVersions = new CardVersions(current);
    }

    /// <summary>The folder the catalog was loaded from.</summary>
    public string Directory { get; }

    /// <summary>Current version of every card; store it with a question when it is sent.</summary>
    public CardVersions CurrentVersions { get; }

    /// <summary>All template files, ordered by card, channel and version.</summary>
    public IReadOnlyList<CardTemplateFile> Templates =>
        _templates.Values.Select(t => t.File).OrderBy(f => f.Key, StringComparer.Ordinal).ThenBy(f => f.Version).ToList();

    /// <summary>Languages with a strings file.</summary>
    public IReadOnlyCollection<string> Languages => _strings.Keys;

    /// <summary>The lock: released template path → SHA-256 (hex).</summary>
    public IReadOnlyDictionary<string, string> LockEntries => _lock;

    public static string Key(string cardId, CardChannel channel) => $"{cardId}/{ChannelName(channel)}";

    public static string ChannelName(CardChannel channel) => channel switch
    {
        CardChannel.Email => "email",
        CardChannel.Teams => "teams",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    public static string CardId(CardKind kind) => kind switch
    {
        CardKind.OwnerQuestion => "owner-question",
        CardKind.OwnerAnswered => "owner-answered",
        CardKind.OwnerExpired => "owner-expired",
        CardKind.OwnerClosed => "owner-closed",
        CardKind.SocThread => "soc-thread",
        CardKind.OwnerDigest => "owner-digest",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Loads and parses every template. Throws <see cref="CardTemplateException"/> naming the bad file.</summary>
    public static CardCatalog Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        directory = Path.GetFullPath(directory);
        var manifestPath = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(manifestPath))
        {
            throw new CardTemplateException($"Card catalog '{manifestPath}' not found; set Cards:TemplatesPath to the folder holding the card templates.");
        }

        var lockEntries = ReadLock(Path.Combine(directory, LockFileName));
        var templates = new Dictionary<(string, int), (CardTemplateFile, CardTemplate)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(directory, path).Replace('\\', '/');
            var match = TemplateFileName().Match(relative);
            if (!match.Success)
            {
                continue;
            }

            var file = new CardTemplateFile(
                match.Groups["card"].Value,
                match.Groups["channel"].Value == "email" ? CardChannel.Email : CardChannel.Teams,
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                relative,
                path);
            if (lockEntries.TryGetValue(relative, out var lockedHash) && !string.Equals(lockedHash, ComputeHash(path), StringComparison.OrdinalIgnoreCase))
            {
                throw new CardTemplateException(
                    $"Card template '{relative}' was released and has changed since (its hash no longer matches {LockFileName}). " +
                    "Released templates are immutable: restore it and put the change in a new version file.");
            }

            templates[(file.Key, file.Version)] = (file, CardTemplate.Parse(relative, File.ReadAllText(path)));
        }

        foreach (var locked in lockEntries.Keys)
        {
            if (!File.Exists(Path.Combine(directory, locked)))
            {
                throw new CardTemplateException($"Released card template '{locked}' listed in {LockFileName} is missing; released versions must stay, old questions still use them.");
            }
        }

        var current = ReadManifest(manifestPath);
        foreach (var (key, version) in current)
        {
            if (!templates.ContainsKey((key, version)))
            {
                throw new CardTemplateException($"{ManifestFileName} names '{key}' version {version}, but '{key}.v{version}.json' does not exist.");
            }
        }

        return new CardCatalog(
            directory,
            templates.ToFrozenDictionary(),
            current.ToFrozenDictionary(StringComparer.Ordinal),
            ReadStrings(Path.Combine(directory, StringsFolder)),
            lockEntries.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public int CurrentVersion(string cardId, CardChannel channel) =>
        _current.TryGetValue(Key(cardId, channel), out var version)
            ? version
            : throw new KeyNotFoundException($"The card catalog has no card '{Key(cardId, channel)}'.");

    public bool HasCard(string cardId, CardChannel channel) => _current.ContainsKey(Key(cardId, channel));

    public CardTemplate GetTemplate(string cardId, CardChannel channel, int version) =>
        _templates.TryGetValue((Key(cardId, channel), version), out var entry)
            ? entry.Template
            : throw new KeyNotFoundException($"The card catalog has no version {version} of '{Key(cardId, channel)}'.");

    /// <summary>
    /// The strings for a preferred language (<c>de-CH</c> → <c>de</c>), laid over the default language so a missing
    /// translation shows the default text instead of breaking the card. Returns the language actually used.
    /// </summary>
    public (string Language, JsonObject Strings) GetStrings(string? preferredLanguage, string defaultLanguage)
    {
        if (!_strings.TryGetValue(defaultLanguage, out var fallback))
        {
            throw new KeyNotFoundException($"No card strings for the default language '{defaultLanguage}' ({StringsFolder}/{defaultLanguage}.json).");
        }

        var language = ResolveLanguage(preferredLanguage) ?? defaultLanguage;
        var merged = _merged.GetOrAdd((language, defaultLanguage), key =>
        {
            var strings = (JsonObject)fallback.DeepClone();
            if (key.Language != key.Default)
            {
                Overlay(strings, _strings[key.Language]);
            }

            return (JsonObject)Detached(strings)!;
        });

        // Every card gets its own copy (it becomes part of that card's data); copying text values is cheap.
        return (language, (JsonObject)merged.DeepClone());
    }

    /// <summary>A copy whose text values hold plain strings instead of slices of the parsed file, so copies are cheap.</summary>
    private static JsonNode? Detached(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Detached(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Detached).ToArray()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => JsonValue.Create(value.GetValue<string>()),
        _ => node?.DeepClone(),
    };

    /// <summary>
    /// Checks the lock: every released file is present and unchanged, and every template file is released.
    /// Returns the problems; empty means the lock holds.
    /// </summary>
    public IReadOnlyList<string> VerifyLock()
    {
        var problems = new List<string>();
        foreach (var (path, hash) in _lock)
        {
            var full = Path.Combine(Directory, path);
            if (!File.Exists(full))
            {
                problems.Add($"{path}: released but missing");
            }
            else if (!string.Equals(ComputeHash(full), hash, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{path}: released template changed; put the change in a new version file");
            }
        }

        foreach (var file in Templates.Where(f => !_lock.ContainsKey(f.RelativePath)))
        {
            problems.Add($"{file.RelativePath}: not in {LockFileName}; add \"{file.RelativePath}\": \"{ComputeHash(file.FullPath)}\" to release it");
        }

        return problems;
    }

    /// <summary>SHA-256 of the file's bytes, lower-case hex (the same as <c>sha256sum</c>).</summary>
    public static string ComputeHash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private string? ResolveLanguage(string? preferred)
    {
        if (string.IsNullOrWhiteSpace(preferred))
        {
            return null;
        }

        var candidate = preferred.Trim().Replace('_', '-').ToLowerInvariant();
        if (_strings.ContainsKey(candidate))
        {
            return candidate;
        }

        var dash = candidate.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && _strings.ContainsKey(candidate[..dash]) ? candidate[..dash] : null;
    }

    private static void Overlay(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Overlay(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static Dictionary<string, int> ReadManifest(string path)
    {
        var root = ReadJsonObject(path);
        if (root["current"] is not JsonObject current)
        {
            throw new CardTemplateException($"{ManifestFileName} must have a \"current\" object of \"card/channel\": version.");
        }

        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, value) in current)
        {
            if (!CardKey().IsMatch(key) || value?.GetValueKind() != JsonValueKind.Number || !value.AsValue().TryGetValue<int>(out var version) || version < 1)
            {
                throw new CardTemplateException($"{ManifestFileName}: '{key}' must be a card/channel key (e.g. owner-question/email) with a version number >= 1.");
            }

            result[key] = version;
        }

        return result;
    }

    private static Dictionary<string, string> ReadLock(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        var root = ReadJsonObject(path);
        if (root["released"] is JsonObject released)
        {
            foreach (var (file, hash) in released)
            {
                result[file] = hash?.GetValue<string>() ?? throw new CardTemplateException($"{LockFileName}: '{file}' has no hash.");
            }
        }

        return result;
    }

    private static FrozenDictionary<string, JsonObject> ReadStrings(string folder)
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (System.IO.Directory.Exists(folder))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(folder, "*.json"))
            {
                result[Path.GetFileNameWithoutExtension(path).ToLowerInvariant()] = ReadJsonObject(path);
            }
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static JsonObject ReadJsonObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new CardTemplateException($"'{path}' must hold a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new CardTemplateException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    [GeneratedRegex(@"^(?<card>[a-z0-9]+(?:-[a-z0-9]+)*)/(?<channel>email|teams)\.v(?<version>[1-9][0-9]*)\.json$")]
    private static partial Regex TemplateFileName();

    [GeneratedRegex(@"^[a-z0-9]+(?:-[a-z0-9]+)*/(?:email|teams)$")]
    private static partial Regex CardKey();
}
