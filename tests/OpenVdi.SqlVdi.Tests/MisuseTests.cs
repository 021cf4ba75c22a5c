using OpenVdi.SqlVdi.Tests.Infrastructure;

namespace OpenVdi.SqlVdi.Tests;

/// <summary>
/// A client that misuses the objects, the arguments and the commands in every way docs/sqlvdi.md lists gets the
/// documented code each time, keeps running, and still backs up and restores a database byte for byte in between.
/// </summary>
[Collection(SqlVdiCollection.Name)]
public sealed class MisuseTests(SqlVdiFixture fixture)
{
    /// <summary>The cases the misuse client reports, each after every check of it passed.</summary>
    private static readonly string[] s_cases =
    [
        "zeroed-object", "null-object", "unmapped-object", "foreign-object", "destroyed-object", "copied-object",
        "stale-object", "overwritten-object", "constructed-twice", "derived-object", "client-constructed-device", "bad-arguments",
        "destroyed-while-created", "negative-timeout", "crossed-objects", "get-command-null", "command-misuse",
        "after-device-end", "after-close", "deleted-device",
    ];

    [Fact(Timeout = 300_000)]
    public async Task Every_misuse_answers_its_documented_code_and_the_database_still_comes_back()
    {
        const int transfer = 64 << 10;
        var original = fixture.CreateDatabase("misuse", (2 << 20) + 8192, seed: 5);
        string directory = fixture.NewDirectory("misuse");

        var backup = await fixture.RunAsync("misuse_client", ["B", directory], devices => SqlVdiFixture.Backup("misuse", devices, transfer));
        var restore = await fixture.RunAsync("misuse_client", ["R", directory], devices => SqlVdiFixture.Restore("misuse_copy", devices, transfer));

        foreach (var lines in new[] { backup, restore })
        {
            Assert.Equal(s_cases, lines.Where(line => line.StartsWith("ok ", StringComparison.Ordinal)).Select(line => line[3..]));

            // Sets destroyed without Close (one of them through an object whose bytes were cleared) are closed by their
            // destructors: nothing of them stays in /dev/shm.
            var abandoned = lines.Where(line => line.StartsWith("abandoned ", StringComparison.Ordinal)).Select(line => line["abandoned ".Length..]).ToList();
            Assert.Equal(2, abandoned.Count);
            Assert.All(abandoned, SqlVdiFixture.AssertNoSegmentsOf);
        }

        fixture.AssertSameBytes(original, "misuse_copy");
    }
}
