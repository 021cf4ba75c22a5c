using Microsoft.Data.SqlClient;
using OpenVdi;

// Backs up a database of a real SQL Server to a file, or restores it from one, through Microsoft's VDI library:
// libsqlvdi.so on Linux (found as docs/real-sql-server.md says), sqlvdi.dll on Windows.
//
//   dotnet run --project samples/OpenVdi.SqlServerBackup -- backup  "<connection string>" <database> <file>
//   dotnet run --project samples/OpenVdi.SqlServerBackup -- restore "<connection string>" <database> <file>
if (args.Length != 4 || args[0] is not ("backup" or "restore"))
{
    Console.Error.WriteLine("usage: backup|restore \"<connection string>\" <database> <file>");
    return 2;
}

bool backup = args[0] == "backup";
string connectionString = args[1], database = args[2], path = args[3];

// 1. A set object of Microsoft's library, and the set: one device, named with a fresh GUID (unique on the machine).
using var set = VirtualDeviceSets.Create(VdiLibrary.Microsoft);
string name = Guid.NewGuid().ToString();
var result = set.CreateEx(null, name, new VdConfig { DeviceCount = 1 });
if (result != VdiResult.NOERROR)
{
    Console.Error.WriteLine($"CreateEx failed: {result}");
    return 1;
}

// 2. The statement, on its own connection: SQL Server opens the set by its name. No command timeout: a backup takes
//    as long as it takes.
string statement = backup
    ? $"BACKUP DATABASE [{database.Replace("]", "]]", StringComparison.Ordinal)}] TO VIRTUAL_DEVICE = N'{name}' WITH FORMAT"
    : $"RESTORE DATABASE [{database.Replace("]", "]]", StringComparison.Ordinal)}] FROM VIRTUAL_DEVICE = N'{name}' WITH REPLACE";
var run = RunAsync(connectionString, statement);

// 3. Wait for SQL Server to configure the set, watching the statement: it fails before configuring if, say, the
//    database does not exist or the login may not back it up.
while ((result = set.GetConfiguration(1000, out _)) == VdiResult.VD_E_TIMEOUT && !run.IsCompleted)
{
}

if (result != VdiResult.NOERROR)
{
    set.SignalAbort();
    Console.Error.WriteLine($"SQL Server did not configure the set ({result}): {await Failure(run)}");
    return 1;
}

// 4. The device's command loop, until VD_E_CLOSE: a backup's Writes go to the file, a restore's Reads come from it.
using (var file = new FileStream(path, backup ? FileMode.Create : FileMode.Open, backup ? FileAccess.Write : FileAccess.Read))
{
    if ((result = set.OpenDevice(name, out var device)) != VdiResult.NOERROR)
    {
        set.SignalAbort();
        Console.Error.WriteLine($"OpenDevice failed ({result}): {await Failure(run)}");
        return 1;
    }

    while ((result = device!.GetCommand(VdiTimeout.Infinite, out var command)) == VdiResult.NOERROR)
    {
        uint code = Win32Error.ERROR_SUCCESS, bytes = 0;
        switch (command!.CommandCode)
        {
            case VdCommandCode.VDC_Write:
                file.Write(command.Data);          // the library's buffer itself: no copy
                bytes = command.Size;
                break;
            case VdCommandCode.VDC_Read:
                bytes = (uint)file.ReadAtLeast(command.Data, command.Data.Length, throwOnEndOfStream: false);
                code = bytes == command.Size ? Win32Error.ERROR_SUCCESS : Win32Error.ERROR_HANDLE_EOF;
                break;
            case VdCommandCode.VDC_Flush:
                file.Flush(flushToDisk: true);
                break;
            case VdCommandCode.VDC_ClearError:
                break;
            default:
                code = Win32Error.ERROR_NOT_SUPPORTED;
                break;
        }

        device.CompleteCommand(command, code, bytes, 0);
    }

    if (result != VdiResult.VD_E_CLOSE)
    {
        set.SignalAbort();
    }
}

// 5. SQL Server's answer decides: 3014 "BACKUP DATABASE successfully processed…", or its error (3013 and the reason).
string? failure = await Failure(run);
set.Close();
Console.WriteLine(failure ?? $"{args[0]} of {database} {(backup ? "to" : "from")} {path}: done");
return failure is null ? 0 : 1;

static async Task RunAsync(string connectionString, string statement)
{
    await using var connection = new SqlConnection(connectionString);
    connection.InfoMessage += (_, e) => Console.WriteLine(e.Message);
    await connection.OpenAsync();
    await using var command = new SqlCommand(statement, connection) { CommandTimeout = 0 };
    await command.ExecuteNonQueryAsync();
}

static async Task<string?> Failure(Task run)
{
    try
    {
        await run;
        return null;
    }
    catch (SqlException e)
    {
        return e.Message;
    }
}
