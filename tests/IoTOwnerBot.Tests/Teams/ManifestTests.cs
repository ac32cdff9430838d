using System.IO.Compression;
using IoTOwnerBot.Teams;
using NJsonSchema;

namespace IoTOwnerBot.Tests.Teams;

public sealed class ManifestTests
{
    private const string BotId = "b07b07b0-0000-4000-8000-0000000007ea";
    private const string Domain = "iotownerbot.contoso.example";

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IoTOwnerBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("IoTOwnerBot.sln not found above the test's base directory.");
    }

    private static string ManifestDir => Path.Combine(RepoRoot(), "manifest");

    [Fact]
    public async Task Manifest_WithIdsFilledIn_ValidatesAgainstTheTeamsSchema()
    {
        var schemaPath = Path.Combine(RepoRoot(), "..", "shared", "schemas", "teams", "MicrosoftTeams.schema.json");
        var schema = await JsonSchema.FromFileAsync(schemaPath);
        var manifest = ManifestCommand.Manifest(ManifestDir, BotId, Domain);

        var errors = schema.Validate(manifest.ToJsonString());

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
        var bot = manifest["bots"]![0]!;
        Assert.Equal(BotId, (string?)bot["botId"]);
        Assert.Equal(["personal", "team"], bot["scopes"]!.AsArray().Select(s => (string?)s));
        Assert.Equal(BotId, (string?)manifest["webApplicationInfo"]!["id"]);
        Assert.Equal([Domain], manifest["validDomains"]!.AsArray().Select(s => (string?)s));
    }

    [Fact]
    public void Icons_HaveTheRequiredSizes()
    {
        Assert.Equal((192, 192), Png.Size(File.ReadAllBytes(Path.Combine(ManifestDir, ManifestCommand.ColorIcon))));
        Assert.Equal((32, 32), Png.Size(File.ReadAllBytes(Path.Combine(ManifestDir, ManifestCommand.OutlineIcon))));
    }

    [Fact]
    public void ManifestCommand_BuildsTheZip_WithTheConfiguredBotId()
    {
        var zip = Path.Combine(Path.GetTempPath(), $"iotownerbot-app-{Guid.NewGuid():N}.zip");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = ManifestCommand.Run(["--bot-id", BotId, "--domain", Domain, "--out", zip, "--dir", ManifestDir], output, error);

            Assert.True(exit == 0, error.ToString());
            using var archive = ZipFile.OpenRead(zip);
            Assert.Equal(["color.png", "manifest.json", "outline.png"], archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
            using var reader = new StreamReader(archive.GetEntry("manifest.json")!.Open());
            var text = reader.ReadToEnd();
            Assert.Contains(BotId, text, StringComparison.Ordinal);
            Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public void ManifestCommand_WithoutBotId_Fails_SayingWhatIsMissing()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = ManifestCommand.Run(["--bot-id", "not-a-guid", "--dir", ManifestDir], output, error);

        Assert.NotEqual(0, exit);
        Assert.Contains("--bot-id", error.ToString(), StringComparison.Ordinal);
    }
}
