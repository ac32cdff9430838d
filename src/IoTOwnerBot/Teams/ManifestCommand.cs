using System.IO.Compression;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Teams;

/// <summary>
/// Builds the Teams app package: <c>manifest/manifest.json</c> with the bot id and domain filled in, plus the two
/// icons, zipped for upload to the org catalog.
/// <c>dotnet run --project src/IoTOwnerBot -- manifest [--bot-id GUID] [--domain host] [--out iotownerbot.zip] [--dir manifest]</c>.
/// The bot id and domain default to the configuration (Bot:AppId, the host of Service:PublicBaseUrl).
/// <c>manifest icons [--dir manifest]</c> (re)draws the icons.
/// </summary>
public static class ManifestCommand
{
    public const string BotIdPlaceholder = "{{BOT_ID}}";
    public const string DomainPlaceholder = "{{DOMAIN}}";
    public const string ManifestFile = "manifest.json";
    public const string ColorIcon = "color.png";
    public const string OutlineIcon = "outline.png";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var config = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a != "icons").ToArray())
            .Build();
        var dir = config["dir"] is { } given ? Resolve(given) : FindManifestDirectory() ?? Resolve("manifest");
        try
        {
            if (args.Contains("icons"))
            {
                WriteIcons(dir);
                output.WriteLine($"Icons written to {Path.GetFullPath(dir)}.");
                return 0;
            }
            var botId = config["bot-id"] ?? config["Bot:AppId"];
            var domain = config["domain"] ?? (Uri.TryCreate(config["Service:PublicBaseUrl"], UriKind.Absolute, out var url) ? url.Host : null);
            if (!Guid.TryParse(botId, out _))
            {
                error.WriteLine("A bot id is needed: --bot-id <Microsoft App ID> (or Bot:AppId in the configuration).");
                return 2;
            }
            if (string.IsNullOrWhiteSpace(domain))
            {
                error.WriteLine("A domain is needed: --domain <host of the service> (or Service:PublicBaseUrl in the configuration).");
                return 2;
            }
            var outPath = Resolve(config["out"] ?? "iotownerbot-teams-app.zip");
            BuildPackage(dir, botId!, domain, outPath);
            output.WriteLine($"Teams app package for bot {botId} written to {outPath}.");
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            error.WriteLine(ex.Message);
            return 1;
        }
    }

    /// <summary>The manifest with the ids filled in.</summary>
    public static JsonObject Manifest(string manifestDirectory, string botId, string domain)
    {
        var text = File.ReadAllText(Path.Combine(manifestDirectory, ManifestFile))
            .Replace(BotIdPlaceholder, botId.ToLowerInvariant(), StringComparison.Ordinal)
            .Replace(DomainPlaceholder, domain, StringComparison.Ordinal);
        return JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{ManifestFile} is not a JSON object.");
    }

    public static void BuildPackage(string manifestDirectory, string botId, string domain, string zipPath)
    {
        var manifest = Manifest(manifestDirectory, botId, domain);
        if (File.Exists(zipPath)) File.Delete(zipPath);
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        using (var writer = new StreamWriter(zip.CreateEntry(ManifestFile).Open()))
            writer.Write(manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        foreach (var icon in new[] { ColorIcon, OutlineIcon })
        {
            var path = Path.Combine(manifestDirectory, icon);
            if (!File.Exists(path)) throw new FileNotFoundException($"Icon '{path}' is missing (run: manifest icons).", path);
            zip.CreateEntryFromFile(path, icon);
        }
    }

    public static void WriteIcons(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, ColorIcon), Png.Encode(192, 192, Draw(192, background: (0x44, 0x64, 0xEE, 0xFF))));
        File.WriteAllBytes(Path.Combine(directory, OutlineIcon), Png.Encode(32, 32, Draw(32, background: (0, 0, 0, 0))));
    }

    /// <summary>
    /// Relative paths are taken from the repository root (where IoTOwnerBot.sln is), because <c>dotnet run</c> may run
    /// the program in the project's folder; outside a checkout, from the current directory.
    /// </summary>
    private static string Resolve(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IoTOwnerBot.sln"))) return Path.GetFullPath(path, dir.FullName);
        return Path.GetFullPath(path);
    }

    private static string? FindManifestDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "manifest");
                if (File.Exists(Path.Combine(candidate, ManifestFile))) return candidate;
            }
        }
        return null;
    }

    /// <summary>A white ring with a dot (a sensor) on the background; the outline icon is white on transparent.</summary>
    private static byte[] Draw(int size, (byte R, byte G, byte B, byte A) background)
    {
        var rgba = new byte[size * size * 4];
        var c = (size - 1) / 2.0;
        var outer = size * 0.42;
        var ring = Math.Max(2, size * 0.08);
        var dot = size * 0.14;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var d = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c));
                var white = (d <= outer && d >= outer - ring) || d <= dot;
                var i = (y * size + x) * 4;
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = white ? ((byte)255, (byte)255, (byte)255, (byte)255) : background;
            }
        }
        return rgba;
    }
}
