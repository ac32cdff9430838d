using System.Text.Json.Nodes;
using IoTOwnerBot.Tests.Cards;

namespace IoTOwnerBot.Tests.Lab;

/// <summary>The lab renders cards with vendored copies of the shared host configs; they must not drift.</summary>
public sealed class LabHostConfigTests
{
    [Theory]
    [InlineData("hostconfig-outlook-desktop.json")]
    [InlineData("hostconfig-microsoft-teams-light.json")]
    public void VendoredHostConfig_EqualsSharedOne(string file)
    {
        var vendored = Path.Combine(CardTestSupport.RepoRoot, "src", "IoTOwnerBot.Emulator", "Lab", "hostconfigs", file);
        var shared = Path.Combine(CardTestSupport.SchemasDirectory, file);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(shared)), JsonNode.Parse(File.ReadAllText(vendored))),
            $"{vendored} differs from {shared}; copy the shared one over it.");
    }
}
