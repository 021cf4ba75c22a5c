using OpenVdi.Engine.Databases;
using OpenVdi.Engine.Format;
using OpenVdi.Engine.Tests.Format.Infrastructure;

namespace OpenVdi.Engine.Tests.Databases;

public sealed class CatalogueTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DatabaseCatalogue _catalogue;

    public CatalogueTests()
    {
        _catalogue = new DatabaseCatalogue(_temp.Combine("data"));
    }

    public void Dispose() => _temp.Dispose();

    private static string MakeFile(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void An_existing_sqlite_file_is_registered_in_place_and_backed_up_from_there()
    {
        string sqlite = MakeFile(_temp.Combine("app", "shop.sqlite"), "SQLite format 3\0 and some pages");

        var database = _catalogue.Register("shop", [new DatabaseFileSpec("shop", sqlite, DatabaseFileType.Data)]);

        Assert.Equal(sqlite, database.GetFullPath(database.Files[0]));
        Assert.False(database.OwnsFile(database.Files[0]));
        using var reader = _catalogue.OpenReader("shop");
        Assert.Equal("shop.sqlite", reader.Files[0].PhysicalPath);
        Assert.Equal(new FileInfo(sqlite).Length, reader.TotalBytes);
    }

    [Fact]
    public void A_registered_sqlite_database_restores_byte_identical_under_the_data_directory()
    {
        string sqlite = MakeFile(_temp.Combine("app", "shop.sqlite"), new string('x', 100_000));
        _catalogue.Register("shop", [new DatabaseFileSpec("shop", sqlite, DatabaseFileType.Data)]);
        var stripes = BackupHarness.Backup(_catalogue, "shop", 2);

        BackupHarness.Restore(_catalogue, "shop_restored", stripes);

        var restored = _catalogue.Get("shop_restored");
        Assert.Equal(Path.Combine(_catalogue.DataDirectory, "shop_restored", "shop.sqlite"), restored.GetFullPath(restored.Files[0]));
        Assert.Equal(File.ReadAllBytes(sqlite), File.ReadAllBytes(restored.GetFullPath(restored.Files[0])));
    }

    [Fact]
    public void Files_inside_the_database_directory_are_recorded_relative()
    {
        string directory = Path.Combine(_catalogue.DataDirectory, "hr");
        MakeFile(Path.Combine(directory, "hr.mdf"), "data");
        MakeFile(Path.Combine(directory, "logs", "hr.ldf"), "log");

        var database = _catalogue.Register("hr", [
            new DatabaseFileSpec("hr", "hr.mdf", DatabaseFileType.Data),
            new DatabaseFileSpec("hr_log", Path.Combine(directory, "logs", "hr.ldf"), DatabaseFileType.Log),
        ]);

        Assert.Equal(["hr.mdf", "logs/hr.ldf"], database.Files.Select(f => f.Path));
        Assert.All(database.Files, file => Assert.True(database.OwnsFile(file)));

        _catalogue.Drop("hr");

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void List_returns_every_database_by_name_and_lookup_ignores_case()
    {
        SampleDatabase.Create(_catalogue.DataDirectory, "Beta", 10_000, 1);
        SampleDatabase.Create(_catalogue.DataDirectory, "alpha", 10_000, 2);
        Directory.CreateDirectory(Path.Combine(_catalogue.DataDirectory, "not-a-database"));

        Assert.Equal(["alpha", "Beta"], _catalogue.List().Select(d => d.Name));
        Assert.True(_catalogue.Exists("BETA"));
        Assert.Equal("Beta", _catalogue.Get("beta").Name);
        Assert.False(_catalogue.TryGet("gamma", out _));
        Assert.Throws<DatabaseNotFoundException>(() => _catalogue.Get("gamma"));
    }

    [Fact]
    public void A_second_database_of_the_same_name_is_refused_ignoring_case()
    {
        SampleDatabase.Create(_catalogue.DataDirectory, "sales", 10_000, 1);
        string file = MakeFile(_temp.Combine("x.db"), "x");

        Assert.Throws<InvalidOperationException>(() => _catalogue.Register("SALES", [new DatabaseFileSpec("x", file, DatabaseFileType.Data)]));
        Assert.Throws<InvalidOperationException>(() => SampleDatabase.Create(_catalogue.DataDirectory, "Sales", 10_000, 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("with space")]
    [InlineData("ümlaut")]
    public void Invalid_names_are_refused(string name)
    {
        string file = MakeFile(_temp.Combine("x.db"), "x");

        Assert.False(DatabaseCatalogue.IsValidName(name));
        Assert.Throws<ArgumentException>(() => _catalogue.Register(name, [new DatabaseFileSpec("x", file, DatabaseFileType.Data)]));
    }

    [Fact]
    public void Registering_refuses_missing_files_duplicate_logical_names_and_the_manifest_name()
    {
        string file = MakeFile(_temp.Combine("x.db"), "x");
        string other = MakeFile(_temp.Combine("y.db"), "y");

        Assert.Throws<FileNotFoundException>(() => _catalogue.Register("a", [new DatabaseFileSpec("x", _temp.Combine("missing.db"), DatabaseFileType.Data)]));
        Assert.Throws<ArgumentException>(() => _catalogue.Register("a", [
            new DatabaseFileSpec("x", file, DatabaseFileType.Data),
            new DatabaseFileSpec("X", other, DatabaseFileType.Log),
        ]));
        Assert.Throws<ArgumentException>(() => _catalogue.Register("a", [new DatabaseFileSpec("x", ".openvdi-database.json", DatabaseFileType.Data)]));
        Assert.Throws<ArgumentException>(() => _catalogue.Register("a", []));
        Assert.False(_catalogue.Exists("a"));
    }

    [Fact]
    public void Drop_deletes_owned_files_and_the_directory_but_leaves_attached_files()
    {
        var sample = SampleDatabase.Create(_catalogue.DataDirectory, "temp", 50_000, 1);
        string attached = MakeFile(_temp.Combine("app", "keep.sqlite"), "keep");
        _catalogue.Register("attached", [new DatabaseFileSpec("keep", attached, DatabaseFileType.Data)]);

        _catalogue.Drop("TEMP");
        _catalogue.Drop("attached");

        Assert.False(Directory.Exists(sample.Directory));
        Assert.Empty(_catalogue.List());
        Assert.Equal("keep", File.ReadAllText(attached));
        Assert.Throws<DatabaseNotFoundException>(() => _catalogue.Drop("temp"));
    }

    [Fact]
    public void A_restore_over_an_existing_database_needs_replace()
    {
        SampleDatabase.Create(_catalogue.DataDirectory, "inv", 300_000, 1);
        var stripes = BackupHarness.Backup(_catalogue, "inv", 2);
        SampleDatabase.Create(_catalogue.DataDirectory, "target", 100_000, 2);
        byte[] before = File.ReadAllBytes(Path.Combine(_catalogue.DataDirectory, "target", "target.mdf"));

        var error = Assert.Throws<RestoreTargetExistsException>(() => BackupHarness.Restore(_catalogue, "target", stripes));

        Assert.Contains("REPLACE", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_catalogue.DataDirectory, "target", "target.mdf")));
    }

    [Fact]
    public void A_restore_with_replace_takes_the_backups_files_and_removes_the_old_ones()
    {
        var source = SampleDatabase.Create(_catalogue.DataDirectory, "inv", 300_000, 1);
        var stripes = BackupHarness.Backup(_catalogue, "inv", 2);
        SampleDatabase.Create(_catalogue.DataDirectory, "target", 100_000, 2);

        BackupHarness.Restore(_catalogue, "target", stripes, options: new DatabaseWriterOptions { Replace = true });

        var target = _catalogue.Get("target");
        BackupHarness.AssertSameContent(source, target);
        Assert.Equal(["inv.mdf", "inv_log.ldf"], target.Files.Select(f => f.Path));
        Assert.Equal(
            [".openvdi-database.json", "inv.mdf", "inv_log.ldf"],
            Directory.EnumerateFiles(target.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_restored_database_joins_the_catalogue_only_at_commit()
    {
        SampleDatabase.Create(_catalogue.DataDirectory, "src", 100_000, 1);
        var stripes = BackupHarness.Backup(_catalogue, "src", 1);
        DatabaseWriter? writer = null;
        var assembler = new MediaSetAssembler(set => writer = _catalogue.BeginRestore("copy", set));
        var stripe = assembler.OpenStripe();
        stripe.Consume(stripes[0]);
        stripe.Complete();
        assembler.Complete();

        Assert.False(_catalogue.Exists("copy"));
        using (writer)
        {
            writer!.Commit();
        }

        Assert.True(_catalogue.Exists("copy"));
    }

    [Fact]
    public void A_malformed_manifest_is_reported_with_its_path()
    {
        string directory = Path.Combine(_catalogue.DataDirectory, "broken");
        MakeFile(Path.Combine(directory, ".openvdi-database.json"), "{ \"format\": \"openvdi-database\", \"version\": 1, \"name\": \"broken\", \"files\": [ { \"logicalName\": \"x\", \"path\": \"../../etc/passwd\", \"type\": \"data\" } ] }");

        var error = Assert.Throws<InvalidDataException>(() => _catalogue.Get("broken"));

        Assert.Contains(directory, error.Message, StringComparison.Ordinal);
    }
}
