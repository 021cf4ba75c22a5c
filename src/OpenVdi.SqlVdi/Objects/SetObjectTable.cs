using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace OpenVdi.SqlVdi.Objects;

/// <summary>
/// The <c>ClientVirtualDeviceSet</c> objects clients constructed. A client allocates the 8-byte object itself (with
/// <c>new</c>, on its stack, or inside a struct of its own) and calls the constructor, which stores in it a slot value:
/// an index into this table and the entry's generation, mixed with a key chosen at random when the library loads.
/// A call resolves its object in two steps: the address must be one a constructor ran at and no destructor has since
/// (looked up without reading the object, so a pointer to anything else, mapped or not, is refused unread), and the
/// object's 8 bytes must decode to that very entry. So a zeroed object, a destroyed one, a byte-for-byte copy (at
/// another address), a stale one (an earlier life's bytes: another generation) and any other pointer are refused.
/// </summary>
/// <remarks>No raw pointer to managed state ever leaves the library, so nothing a client writes into its object
/// can make the library touch memory it did not mean to.</remarks>
internal static class SetObjectTable
{
    private static readonly Lock s_lock = new();
    private static readonly ulong s_key = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
    private static readonly Stack<int> s_free = new();
    private static readonly ConcurrentDictionary<nint, SetObject> s_byAddress = new();
    private static SetObject?[] s_entries = new SetObject?[16];
    private static uint[] s_generations = new uint[16];
    private static int s_used;

    /// <summary>A new entry for an object constructed at <paramref name="address"/>.</summary>
    public static SetObject Add(nint address)
    {
        lock (s_lock)
        {
            int index = s_free.Count > 0 ? s_free.Pop() : NextIndexUnsynchronized();

            // Generation 0 is never used: a slot that decodes to it is never valid.
            uint generation = ++s_generations[index];
            if (generation == 0)
            {
                generation = ++s_generations[index];
            }

            var entry = new SetObject(address, index, generation, Encode(index, generation));

            // Release: a reader that finds the entry sees it complete.
            Volatile.Write(ref s_entries[index], entry);
            s_byAddress[address] = entry;
            AssertInvariants();
            return entry;
        }
    }

    /// <summary>The live entry constructed at <paramref name="address"/>, or null; the object is not read.</summary>
    public static SetObject? AtAddress(nint address) =>
        s_byAddress.TryGetValue(address, out var entry) && !entry.IsRemoved ? entry : null;

    /// <summary>The live entry that an object at <paramref name="address"/> holding <paramref name="slot"/> stands for, or null.</summary>
    public static SetObject? Find(nint address, ulong slot)
    {
        if (slot == 0)
        {
            return null;
        }

        ulong raw = slot ^ s_key;
        long index = (long)(raw & uint.MaxValue) - 1;
        uint generation = (uint)(raw >> 32);

        // Acquire: the array and the entry are read complete; an array replaced by growth still holds live entries.
        var entries = Volatile.Read(ref s_entries);
        if ((ulong)index >= (ulong)entries.Length)
        {
            return null;
        }

        var entry = Volatile.Read(ref entries[index]);
        return entry is not null && entry.Generation == generation && entry.Address == address && !entry.IsRemoved ? entry : null;
    }

    /// <summary>Removes <paramref name="entry"/>: its slot value never resolves again, and its index may be reused.</summary>
    public static void Remove(SetObject entry)
    {
        lock (s_lock)
        {
            if (!entry.MarkRemoved())
            {
                return;
            }

            s_byAddress.TryRemove(new KeyValuePair<nint, SetObject>(entry.Address, entry));
            if (s_entries[entry.Index] == entry)
            {
                Volatile.Write(ref s_entries[entry.Index], null);
                s_generations[entry.Index]++;
                s_free.Push(entry.Index);
            }

            AssertInvariants();
        }
    }

    private static ulong Encode(int index, uint generation) => (((ulong)generation << 32) | (uint)(index + 1)) ^ s_key;

    private static int NextIndexUnsynchronized()
    {
        if (s_used == s_entries.Length)
        {
            // Readers may still hold the old array: it keeps its entries, which carry their own removed flag.
            var entries = new SetObject?[s_entries.Length * 2];
            Array.Copy(s_entries, entries, s_used);
            Array.Resize(ref s_generations, entries.Length);
            Volatile.Write(ref s_entries, entries);
        }

        return s_used++;
    }

    [Conditional("DEBUG")]
    private static void AssertInvariants()
    {
        foreach (int index in s_free)
        {
            Debug.Assert(s_entries[index] is null, "A free index holds no entry.");
        }

        for (int i = 0; i < s_used; i++)
        {
            Debug.Assert(s_entries[i] is null || s_entries[i]!.Generation == s_generations[i], "A live entry carries its index's current generation.");
        }
    }
}
