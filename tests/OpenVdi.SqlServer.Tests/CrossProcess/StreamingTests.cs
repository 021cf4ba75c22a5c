using OpenVdi.SqlServer.TestPeer;
using OpenVdi.SqlServer.Tests.Infrastructure;

namespace OpenVdi.SqlServer.Tests.CrossProcess;

/// <summary>
/// A backup and a restore through the engine daemon in another process, with the client written once against the
/// interfaces and run over every implementation: the database comes back byte for byte.
/// </summary>
[Collection(BindingCollection.Name)]
public sealed class StreamingTests(BindingFixture fixture, EnginePeer engine) : IClassFixture<EnginePeer>
{
    public static TheoryData<ClientImplementation, int> Stripes() => Implementations.Each(1, 4);

    [Theory(Timeout = 300000)]
    [MemberData(nameof(Stripes))]
    public async Task A_backup_through_the_engine_restores_byte_for_byte(ClientImplementation implementation, int devices)
    {
        var stripes = Enumerable.Range(0, devices).Select(_ => new MemoryStream()).ToArray();
        using (var client = fixture.Create(implementation))
        {
            var backup = await StripeClient.RunAsync(client, engine, stripes, names =>
                $"BACKUP DATABASE [{EnginePeer.Database}] TO {Devices(names)} WITH CHECKSUM, MAXTRANSFERSIZE = 65536");
            Assert.True(backup.Succeeded, $"The backup failed: {StripeClient.Describe(backup)}");
        }

        Assert.All(stripes, stripe => Assert.True(stripe.Length > 0, "A device received no data."));
        foreach (var stripe in stripes)
        {
            stripe.Position = 0;
        }

        string copy = $"copy_{implementation}_{devices}_{Guid.NewGuid():N}";
        using (var client = fixture.Create(implementation))
        {
            var restore = await StripeClient.RunAsync(client, engine, stripes, names =>
                $"RESTORE DATABASE [{copy}] FROM {Devices(names)} WITH MAXTRANSFERSIZE = 65536");
            Assert.True(restore.Succeeded, $"The restore failed: {StripeClient.Describe(restore)}");
        }

        var restored = engine.Get(copy);
        Assert.Equal(engine.Original.Files.Count, restored.Files.Count);
        for (int i = 0; i < restored.Files.Count; i++)
        {
            byte[] expected = await File.ReadAllBytesAsync(engine.Original.GetFullPath(engine.Original.Files[i]));
            byte[] actual = await File.ReadAllBytesAsync(restored.GetFullPath(restored.Files[i]));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"File {restored.Files[i].Path} differs from the original ({actual.Length} bytes, expected {expected.Length}).");
        }
    }

    private static string Devices(IReadOnlyList<string> names) => string.Join(", ", names.Select(name => $"VIRTUAL_DEVICE = N'{name}'"));
}
