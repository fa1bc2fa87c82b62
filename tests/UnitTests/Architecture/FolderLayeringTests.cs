using System.Text.RegularExpressions;
using TestSupport;

namespace UnitTests.Architecture;

/// <summary>
/// Each service's folders depend one way: a folder uses only the folders of the layers below its own, so the service
/// reads bottom up and no change ties two folders into a cycle unnoticed. Namespaces follow folders, so a file names
/// another folder's types through a using directive or a qualified name: the source is read for those. The root
/// folder (Program, the composition root) is above every layer.
/// </summary>
public sealed partial class FolderLayeringTests
{
    /// <summary>Each service's folders, bottom layer first; the folders of one layer do not use each other.</summary>
    private static readonly Dictionary<string, string[][]> Layers = new(StringComparer.Ordinal)
    {
        ["Producer.Api"] = [["Options"], ["Telemetry"], ["Kafka"], ["Workers"], ["Http"], ["Ingest", "Queries"]],
        ["Consumer.Worker"] = [["Options"], ["Store"], ["Consuming"], ["Grpc", "Health"]],
    };

    [Theory]
    [InlineData("Producer.Api")]
    [InlineData("Consumer.Worker")]
    public void Every_folder_is_in_a_layer_and_its_files_are_in_its_namespace(string service)
    {
        var layerOf = LayerOf(service);
        var problems = new List<string>();
        foreach (var file in SourceFiles(service))
        {
            if (file.Folder is not null && !layerOf.ContainsKey(file.Folder))
            {
                problems.Add($"{file.Path}: the folder {file.Folder} is in no layer of {nameof(FolderLayeringTests)}; give it one");
            }

            var expected = file.Folder is null ? service : $"{service}.{file.Folder}";
            if (NamespaceOf(file.Text) != expected)
            {
                problems.Add($"{file.Path}: namespace {NamespaceOf(file.Text) ?? "(none)"}, expected {expected}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("Producer.Api")]
    [InlineData("Consumer.Worker")]
    public void A_folder_uses_only_the_folders_below_it(string service)
    {
        var layerOf = LayerOf(service);
        var files = SourceFiles(service);
        var rootTypes = files.Where(f => f.Folder is null).SelectMany(f => DeclaredTypes().Matches(f.Text).Select(m => m.Groups["name"].Value)).ToList();
        var problems = new List<string>();
        foreach (var file in files.Where(f => f.Folder is not null && layerOf.ContainsKey(f.Folder)))
        {
            var code = CodeOf(file.Text);
            foreach (var used in Regex.Matches(code, $@"\b{Regex.Escape(service)}\.(?<folder>\w+)\b").Select(m => m.Groups["folder"].Value).Distinct())
            {
                if (used != file.Folder && (!layerOf.TryGetValue(used, out var layer) || layer >= layerOf[file.Folder!]))
                {
                    problems.Add($"{file.Path}: {file.Folder} uses {used}, which is not below it");
                }
            }

            foreach (var type in rootTypes.Where(type => Regex.IsMatch(code, $@"\b{type}\b")))
            {
                problems.Add($"{file.Path}: {file.Folder} uses {type} of the root folder, which is above every layer");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_check_sees_a_use_of_a_folder_above()
    {
        // Without this, a reading of the source that found no use at all would let the test above pass.
        var code = CodeOf("using Producer.Api.Queries;\nnamespace Producer.Api.Kafka;\n// Producer.Api.Ingest in a comment\nclass A { Producer.Api.Http.B b; }");

        Assert.Equal(["Queries", "Http"], Regex.Matches(code, @"\bProducer\.Api\.(?<folder>\w+)\b").Select(m => m.Groups["folder"].Value));
    }

    private static Dictionary<string, int> LayerOf(string service) =>
        Layers[service].SelectMany((folders, layer) => folders.Select(folder => (folder, layer))).ToDictionary(f => f.folder, f => f.layer, StringComparer.Ordinal);

    /// <summary>The service's own .cs files, with the top folder each is in (null for the project's root).</summary>
    private static List<(string Path, string? Folder, string Text)> SourceFiles(string service)
    {
        var project = RepositoryFiles.PathOf(service);
        var files = Directory.GetFiles(project, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(project, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => ($"{service}/{path}", path.Contains('/', StringComparison.Ordinal) ? path[..path.IndexOf('/', StringComparison.Ordinal)] : null, File.ReadAllText(Path.Combine(project, path))))
            .ToList();
        Assert.NotEmpty(files);
        return files;
    }

    private static string? NamespaceOf(string text) => FileScopedNamespace().Match(text) is { Success: true } match ? match.Groups["name"].Value : null;

    /// <summary>The text without comments and without the namespace declaration, which names the file's own folder.</summary>
    private static string CodeOf(string text) => FileScopedNamespace().Replace(Comment().Replace(text, string.Empty), string.Empty);

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^(?:(?:public|internal|static|sealed|partial|abstract)\s+)*(?:class|record|struct|interface|enum)\s+(?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex DeclaredTypes();
}
