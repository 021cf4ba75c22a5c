using System.Reflection;
using System.Runtime.InteropServices;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Linux;

/// <summary>
/// Finds and loads the process's one <c>libsqlvdi.so</c>, and maps <see cref="LibSqlVdi.LibraryName"/> to it for every
/// import of this assembly. The order is <see cref="VdiLibraryOptions.SqlVdiLibraryPath"/>'s: an explicit file (the
/// option, else the environment variable) is the only one tried; otherwise the dynamic loader's search, then
/// <see cref="VdiLibraryOptions.InstalledSqlVdiLibrary"/>. A file loads only if it exports every member the binding
/// calls.
/// </summary>
internal static unsafe partial class SqlVdiLibrary
{
    private static readonly Lock s_lock = new();
    private static nint s_handle;
    private static string? s_path;

    static SqlVdiLibrary() => NativeLibrary.SetDllImportResolver(typeof(SqlVdiLibrary).Assembly, Resolve);

    /// <summary>The file the process loaded, or null before the first set.</summary>
    public static string? LoadedPath
    {
        get
        {
            lock (s_lock)
            {
                return s_path;
            }
        }
    }

    /// <summary>
    /// Loads the library if the process has none yet, and returns the file it is. <paramref name="explicitPath"/> (else
    /// the environment variable) names the only file to try; when the process already loaded another file, naming a
    /// different one is an error.
    /// </summary>
    /// <exception cref="VdiLibraryLoadException">No file loaded; the message lists every attempt and its reason.</exception>
    public static string Load(string? explicitPath)
    {
        string? requested = Requested(explicitPath);
        lock (s_lock)
        {
            if (s_handle != 0)
            {
                if (requested is not null && requested != s_path)
                {
                    throw new VdiLibraryLoadException(
                        $"This process already loaded Microsoft's VDI library from {s_path}; it cannot load {requested} as well. " +
                        "A process uses one libsqlvdi.so: name the same file everywhere, or start another process.");
                }

                return s_path!;
            }

            var attempts = new List<string>();
            (string Path, string What)[] candidates = requested is not null
                ? [(requested, explicitPath is { Length: > 0 } ? "the path given" : $"${VdiLibraryOptions.SqlVdiLibraryVariable}")]
                : [(LibSqlVdi.LibraryName, "the dynamic loader's search (LD_LIBRARY_PATH, then the system's library directories)"),
                   (VdiLibraryOptions.InstalledSqlVdiLibrary, "SQL Server's installed library")];
            foreach (var (path, what) in candidates)
            {
                if (TryLoad(path, out nint handle, out string? failure))
                {
                    s_handle = handle;
                    s_path = LocationOf(handle) ?? path;
                    return s_path;
                }

                attempts.Add($"{path} ({what}): {failure}");
            }

            throw new VdiLibraryLoadException(
                "Microsoft's VDI library (libsqlvdi.so, installed with SQL Server in /opt/mssql/lib) could not be loaded. Tried:" +
                string.Concat(attempts.Select(a => "\n  " + a)) +
                $"\nName the file with the option or ${VdiLibraryOptions.SqlVdiLibraryVariable}, or add its directory to LD_LIBRARY_PATH.",
                attempts);
        }
    }

    /// <summary>The file the caller asked for, as a full path: the option, else the environment variable; a directory means its libsqlvdi.so.</summary>
    private static string? Requested(string? explicitPath)
    {
        string? path = explicitPath is { Length: > 0 } ? explicitPath
            : Environment.GetEnvironmentVariable(VdiLibraryOptions.SqlVdiLibraryVariable) is { Length: > 0 } variable ? variable
            : null;
        if (path is null)
        {
            return null;
        }

        path = Path.GetFullPath(path);
        return Directory.Exists(path) ? Path.Combine(path, LibSqlVdi.LibraryName) : path;
    }

    /// <summary>dlopen of <paramref name="path"/>, kept only if it exports every entry point of <see cref="LibSqlVdi"/>.</summary>
    private static bool TryLoad(string path, out nint handle, out string? failure)
    {
        handle = 0;
        if (path.Contains('/', StringComparison.Ordinal) && !File.Exists(path))
        {
            failure = "no such file";
            return false;
        }

        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            failure = LoaderReason(e.Message);
            return false;
        }

        nint loaded = handle;
        var missing = LibSqlVdi.EntryPoints.Where(name => !NativeLibrary.TryGetExport(loaded, name, out _)).ToList();
        if (missing.Count > 0)
        {
            NativeLibrary.Free(handle);
            handle = 0;
            failure = $"loaded, but it does not export {string.Join(", ", missing)}: it is not a VDI library this binding can call";
            return false;
        }

        failure = null;
        return true;
    }

    /// <summary>The dynamic loader's own words (the last line of .NET's message, which is dlerror's text).</summary>
    private static string LoaderReason(string message)
    {
        string[] lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 0 ? lines[^1] : message;
    }

    /// <summary>The file the dynamic loader loaded, from the address of one of its exports (<c>dladdr</c>).</summary>
    private static string? LocationOf(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, MangledNames.SetConstructor, out nint symbol))
        {
            return null;
        }

        try
        {
            DlInfo info;
            return Dladdr(symbol, &info) != 0 && info.FileName != 0 ? Path.GetFullPath(Marshal.PtrToStringUTF8(info.FileName)!) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibSqlVdi.LibraryName)
        {
            return 0;
        }

        lock (s_lock)
        {
            if (s_handle != 0)
            {
                return s_handle;
            }
        }

        // Every caller loads first; a call that did not gets the default search.
        Load(null);
        return s_handle;
    }

    /// <summary>glibc's <c>dladdr</c>: in libc.so.6 since glibc 2.34; before, only libdl.so.2 has it, and the path given is reported instead.</summary>
    [LibraryImport("libc.so.6", EntryPoint = "dladdr")]
    private static partial int Dladdr(nint address, DlInfo* info);

    /// <summary>glibc's <c>Dl_info</c>: the file name and base of the object holding an address, and the nearest symbol.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public nint FileName;
        public nint FileBase;
        public nint SymbolName;
        public nint SymbolAddress;
    }
}
