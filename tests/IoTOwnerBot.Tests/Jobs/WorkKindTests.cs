using System.Text.RegularExpressions;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>
/// The durable work kinds as the service registers them (<c>AddWork&lt;TRecord, THandler&gt;</c>) are the ones
/// docs/architecture.md and README name: one handler per kind, one kind per handler, each resolvable.
/// </summary>
public sealed partial class WorkKindTests : IntegrationTest
{
    [Fact]
    public void EveryKind_HasOneHandler_AndTheDocumentationNamesExactlyThem()
    {
        var kinds = Bot.Services.GetServices<WorkKind>().ToList();
        Assert.Equal(kinds.Count, kinds.Select(k => k.Name).Distinct().Count());
        Assert.Equal(kinds.Count, kinds.Select(k => k.Handler).Distinct().Count());
        using (var scope = Bot.Services.CreateScope())
        {
            foreach (var kind in kinds)
                Assert.IsType(kind.Handler, scope.ServiceProvider.GetRequiredKeyedService<IWorkHandler>(kind.Name));
        }

        var root = Cards.CardTestSupport.RepoRoot;
        var table = TableRow().Matches(File.ReadAllText(Path.Combine(root, "docs", "architecture.md")))
            .Select(m => (Kind: m.Groups[1].Value, Record: m.Groups[2].Value, Handler: m.Groups[3].Value)).ToList();
        Assert.Equal(kinds.Select(k => k.Name).Order(StringComparer.Ordinal), table.Select(r => r.Kind).Order(StringComparer.Ordinal));
        foreach (var kind in kinds)
        {
            var row = table.Single(r => r.Kind == kind.Name);
            Assert.Equal(kind.Work.Name, row.Record);
            Assert.Equal(HandlerName(kind.Handler), row.Handler);
        }

        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var listed = readme[readme.IndexOf("- Durable work kinds:", StringComparison.Ordinal)..];
        listed = listed[..listed.IndexOf("(what each does", StringComparison.Ordinal)];
        Assert.Equal(kinds.Select(k => k.Name).Order(StringComparer.Ordinal),
            Code().Matches(listed).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }

    private static string HandlerName(Type handler) =>
        handler.IsGenericType ? $"{handler.Name[..handler.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", handler.GetGenericArguments().Select(a => a.Name))}>" : handler.Name;

    [GeneratedRegex(@"^\| `([a-z.-]+)` \| `([\w]+)` \| `([\w<>, ]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"`([a-z]+\.[a-z-]+)`")]
    private static partial Regex Code();
}
