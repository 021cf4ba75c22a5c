using System.Globalization;
using System.Text.RegularExpressions;
using OpenVdi.SqlVdi.Tests.Infrastructure;
using OpenVdi.Testing;

namespace OpenVdi.SqlVdi.Tests;

/// <summary>
/// The library a client links against: every name the header makes a C++ compiler reference is defined, unversioned,
/// in a library that calls itself libsqlvdi.so, and a client links and runs against it.
/// </summary>
[Collection(SqlVdiCollection.Name)]
public sealed partial class LibraryExportTests(SqlVdiFixture fixture)
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task Every_name_a_client_of_the_header_references_is_exported_without_a_version()
    {
        // What g++ makes a client of the header need: the undefined ClientVirtual* names of the probe, which calls
        // every member (and the base-object constructors and destructors, through derived classes).
        string probeObject = Path.Combine(fixture.NewDirectory("probe"), "abi_probe.o");
        await ExternalCommand.RunCheckedAsync(
            "g++",
            ["-std=c++17", "-c", "-I", NativeBuild.IncludeDirectory, "-I", Path.Combine(RepositoryRoot.Path, "tests", "native"),
             Path.Combine(RepositoryRoot.Path, "tests", "native", "abi_probe.cpp"), "-o", probeObject],
            s_limit);
        var referenced = Symbols(await ExternalCommand.RunCheckedAsync("nm", ["-u", probeObject], s_limit))
            .Where(name => name.Contains("ClientVirtual", StringComparison.Ordinal)).ToHashSet();

        string defined = await ExternalCommand.RunCheckedAsync("nm", ["-D", "--defined-only", fixture.Build.Library], s_limit);
        var exported = Symbols(defined).ToHashSet();

        Assert.Equal(19, referenced.Count);
        Assert.Subset(exported, referenced);
        Assert.DoesNotContain('@', defined);
        Assert.Equal(referenced.Order(), exported.Where(name => name.Contains("ClientVirtual", StringComparison.Ordinal)).Order());
    }

    [Fact(Timeout = 120_000)]
    public async Task The_library_names_itself_libsqlvdi_so_and_a_linked_client_requires_no_version_of_its_names()
    {
        string library = await ExternalCommand.RunCheckedAsync("readelf", ["-d", fixture.Build.Library], s_limit);
        Assert.Matches(@"\(SONAME\)\s+Library soname: \[libsqlvdi\.so\]", library);
        Assert.DoesNotMatch(@"\(VERDEF\)", library);

        string client = fixture.Build.Client("linux_flow_client");
        Assert.Matches(@"\(NEEDED\)\s+Shared library: \[libsqlvdi\.so\]", await ExternalCommand.RunCheckedAsync("readelf", ["-d", client], s_limit));
        var imports = (await ExternalCommand.RunCheckedAsync("objdump", ["-T", client], s_limit))
            .Split('\n').Where(line => line.Contains("ClientVirtual", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, imports.Count);
        Assert.All(imports, line => Assert.Matches(@"\sBase\s", line));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_library_needs_no_glibc_newer_than_2_34()
    {
        string dynamic = await ExternalCommand.RunCheckedAsync("objdump", ["-T", fixture.Build.Library], s_limit);
        var newest = GlibcVersion().Matches(dynamic)
            .Select(m => new Version(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .Max();
        Assert.NotNull(newest);
        Assert.True(newest <= new Version(2, 34), $"libsqlvdi.so needs GLIBC_{newest}, newer than the 2.34 docs/sqlvdi.md promises.");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_client_that_references_every_member_links_and_runs()
    {
        using var probe = NativeClient.Start(fixture.Build, "abi_probe");
        int exitCode = await probe.WaitForExitAsync(s_limit);
        Assert.True(exitCode == 0, probe.Output);
        Assert.Equal(["done"], probe.Lines);
    }

    /// <summary>The names in nm's output (its last column).</summary>
    private static IEnumerable<string> Symbols(string nm) =>
        nm.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => line.Split(' ')[^1]);

    [GeneratedRegex(@"GLIBC_(\d+)\.(\d+)")]
    private static partial Regex GlibcVersion();
}
