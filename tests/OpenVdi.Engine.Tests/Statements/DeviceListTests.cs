namespace OpenVdi.Engine.Tests.Statements;

public class DeviceListTests
{
    [Fact]
    public void Keeps_devices_in_the_order_written()
    {
        var statement = Parse.Backup(
            "BACKUP DATABASE db TO VIRTUAL_DEVICE = '{set}', VIRTUAL_DEVICE = 'B', VIRTUAL_DEVICE = N'a', VIRTUAL_DEVICE = 'b'");

        Assert.Equal(["{set}", "B", "a", "b"], statement.Devices);
    }

    [Fact]
    public void Accepts_64_devices_on_a_backup()
    {
        var statement = Parse.Backup($"BACKUP DATABASE db TO {Parse.Devices(64)}");

        Assert.Equal(64, statement.Devices.Count);
        Assert.Equal("dev1", statement.Devices[0]);
        Assert.Equal("dev64", statement.Devices[63]);
    }

    [Fact]
    public void Accepts_64_devices_on_a_restore()
    {
        Assert.Equal(64, Parse.Restore($"RESTORE DATABASE db FROM {Parse.Devices(64)}").Devices.Count);
        Assert.Equal(64, Parse.Restore($"RESTORE VERIFYONLY FROM {Parse.Devices(64)}").Devices.Count);
    }

    [Fact]
    public void Refuses_65_devices_on_a_backup_with_3205()
    {
        const string Message = "Too many backup devices specified for backup or restore; only 64 are allowed.";
        Parse.StatementError($"BACKUP DATABASE db TO {Parse.Devices(65)}", 3205, Message, "BACKUP DATABASE");
        Parse.StatementError($"BACKUP LOG db TO {Parse.Devices(65)} WITH INIT", 3205, Message, "BACKUP LOG");
    }

    [Fact]
    public void Refuses_65_devices_on_a_restore_with_3205()
    {
        const string Message = "Too many backup devices specified for backup or restore; only 64 are allowed.";
        Parse.StatementError($"RESTORE DATABASE db FROM {Parse.Devices(65)}", 3205, Message, "RESTORE DATABASE");
        Parse.StatementError($"RESTORE HEADERONLY FROM {Parse.Devices(65)}", 3205, Message, "RESTORE HEADERONLY");
    }

    [Fact]
    public void The_3205_position_is_the_65th_device()
    {
        var result = Parse.Fails($"BACKUP DATABASE db TO {Parse.Devices(65)}");
        var text = $"BACKUP DATABASE db TO {Parse.Devices(65)}";
        Assert.Equal(text.IndexOf("VIRTUAL_DEVICE = 'dev65'", StringComparison.Ordinal), result.Position.Offset);
    }

    [Fact]
    public void An_empty_device_name_is_3044()
    {
        Parse.StatementError(
            "BACKUP DATABASE db TO VIRTUAL_DEVICE = 'set', VIRTUAL_DEVICE = ''",
            3044,
            "Invalid zero-length device name. Reissue the BACKUP statement with a valid device name.",
            "BACKUP DATABASE");
    }

    [Theory]
    [InlineData("BACKUP DATABASE db TO mydevice", "mydevice", "BACKUP DATABASE")]
    [InlineData("BACKUP DATABASE db TO [my device]", "my device", "BACKUP DATABASE")]
    [InlineData("RESTORE DATABASE db FROM VIRTUAL_DEVICE = 's', mydevice", "mydevice", "RESTORE DATABASE")]
    public void A_named_backup_device_does_not_exist_3206(string text, string name, string operation)
    {
        Parse.StatementError(
            text,
            3206,
            $"Backup device '{name}' does not exist. To view existing backup devices, use the sys.backup_devices catalog view. To create a new backup device use either sp_addumpdevice or SQL Server Management Studio.",
            operation);
    }

    [Theory]
    [InlineData("RESTORE DATABASE db", "RESTORE DATABASE")]
    [InlineData("RESTORE DATABASE db WITH REPLACE", "RESTORE DATABASE")]
    [InlineData("RESTORE LOG db WITH NORECOVERY;", "RESTORE LOG")]
    public void A_restore_without_a_device_list_is_3207(string text, string operation)
    {
        Parse.StatementError(
            text,
            3207,
            "Backup or restore requires at least one backup device. Rerun your statement specifying a backup device.",
            operation);
    }

    [Theory]
    [InlineData("BACKUP DATABASE db TO DISK = '/tmp/db.bak'", "DISK")]
    [InlineData("BACKUP DATABASE db TO tape = '\\\\.\\TAPE0'", "TAPE")]
    [InlineData("BACKUP DATABASE db TO URL = 'https://x'", "URL")]
    [InlineData("RESTORE DATABASE db FROM DISK = '/tmp/db.bak'", "DISK")]
    [InlineData("RESTORE HEADERONLY FROM VIRTUAL_DEVICE = 's', DISK = 'x'", "DISK")]
    public void Other_device_types_are_not_supported_50002(string text, string type)
    {
        var error = Parse.Refused(text);
        Assert.Equal(50002, error.Number);
        Assert.Equal($"'{type}' is not supported by this engine, which runs BACKUP and RESTORE statements on virtual devices only.", error.Text);
    }

    [Fact]
    public void A_mirror_is_not_supported_50002()
    {
        var error = Parse.Refused("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'a' MIRROR TO VIRTUAL_DEVICE = 'b' WITH FORMAT");
        Assert.Equal(50002, error.Number);
        Assert.Contains("'MIRROR TO'", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_variable_is_undeclared_137()
    {
        var error = Parse.CompileError(
            "BACKUP DATABASE db TO VIRTUAL_DEVICE = @device",
            137,
            "Must declare the scalar variable \"@device\".");
        Assert.Equal(2, error.State);
    }

    [Theory]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = myset", "Incorrect syntax near 'myset'.")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = \"set\"", "Incorrect syntax near 'set'.")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 5", "Incorrect syntax near '5'.")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE 'set'", "Incorrect syntax near 'set'.")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'a',", "Incorrect syntax near ','.")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'a', , VIRTUAL_DEVICE = 'b'", "Incorrect syntax near ','.")]
    [InlineData("BACKUP DATABASE db TO VIRTUAL_DEVICE = 'a' VIRTUAL_DEVICE = 'b'", "Incorrect syntax near 'VIRTUAL_DEVICE'.")]
    public void A_device_must_be_virtual_device_equals_a_string(string text, string message)
    {
        Parse.CompileError(text, 102, message);
    }
}
