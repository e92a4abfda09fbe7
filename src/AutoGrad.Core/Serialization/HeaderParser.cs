using System.Globalization;

namespace AutoGrad;

/// <summary>
/// Parses the Python dict literal of an npy header: exactly the keys 'descr' (a string), 'fortran_order' (True or False)
/// and 'shape' (a tuple of non-negative ints), in any order, with Python's optional spaces and trailing commas.
/// </summary>
/// <remarks>
/// A deliberately small grammar rather than a general literal evaluator: anything else in a header is garbage for a
/// tensor file, and is refused with the position where parsing stopped.
/// </remarks>
internal ref struct HeaderParser
{
    private readonly string _s;
    private readonly Func<string, string> _fail;
    private int _i;

    private HeaderParser(string s, Func<string, string> fail)
    {
        _s = s;
        _fail = fail;
    }

    public static (string Descr, bool Fortran, int[] Dims) Parse(string header, Func<string, string> fail)
    {
        var p = new HeaderParser(header, fail);
        return p.Dict();
    }

    private (string, bool, int[]) Dict()
    {
        string? descr = null;
        bool? fortran = null;
        int[]? dims = null;
        Skip();
        Expect('{');
        Skip();
        while (Peek() != '}')
        {
            string key = Str();
            Skip();
            Expect(':');
            Skip();
            switch (key)
            {
                case "descr" when descr is null: descr = Str(); break;
                case "fortran_order" when fortran is null: fortran = Bool(); break;
                case "shape" when dims is null: dims = Tuple(); break;
                case "descr" or "fortran_order" or "shape": throw Error($"the key '{key}' appears twice");
                default: throw Error($"unexpected key '{key}' (an npy header has 'descr', 'fortran_order' and 'shape')");
            }
            Skip();
            if (Peek() == ',') { _i++; Skip(); }
            else if (Peek() != '}') throw Error("expected ',' or '}'");
        }
        _i++;
        // After the dict: the padding (spaces) and the newline NumPy writes; nothing else.
        while (_i < _s.Length && (_s[_i] is ' ' or '\t' or '\n' or '\r' or '\0')) _i++;
        if (_i != _s.Length) throw Error("unexpected text after the dict");
        if (descr is null) throw Error("the key 'descr' is missing");
        if (fortran is null) throw Error("the key 'fortran_order' is missing");
        if (dims is null) throw Error("the key 'shape' is missing");
        return (descr, fortran.Value, dims);
    }

    private string Str()
    {
        char q = Peek();
        if (q is not ('\'' or '"')) throw Error("expected a quoted string");
        int start = ++_i;
        while (_i < _s.Length && _s[_i] != q)
        {
            if (_s[_i] == '\\') throw Error("escape sequences are not supported in header strings");
            _i++;
        }
        if (_i >= _s.Length) throw Error("unterminated string");
        return _s[start.._i++];
    }

    private bool Bool()
    {
        if (Take("True")) return true;
        if (Take("False")) return false;
        throw Error("expected True or False");
    }

    private int[] Tuple()
    {
        Expect('(');
        Skip();
        var dims = new List<int>();
        while (Peek() != ')')
        {
            int start = _i;
            while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++;
            if (_i == start) throw Error("expected a non-negative integer in the shape");
            if (!int.TryParse(_s.AsSpan(start, _i - start), NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                throw Error($"the dimension {_s[start.._i]} is too large");
            if (Peek() == 'L') _i++; // Python 2 longs
            dims.Add(d);
            Skip();
            if (Peek() == ',') { _i++; Skip(); }
            else if (Peek() != ')') throw Error("expected ',' or ')' in the shape");
            else if (dims.Count == 1) throw Error("a one-element shape needs a trailing comma, as (3,)");
        }
        _i++;
        return dims.ToArray();
    }

    private bool Take(string word)
    {
        if (string.CompareOrdinal(_s, _i, word, 0, word.Length) != 0) return false;
        _i += word.Length;
        return true;
    }

    private void Expect(char c)
    {
        if (Peek() != c) throw Error($"expected '{c}'");
        _i++;
    }

    private readonly char Peek() => _i < _s.Length ? _s[_i] : '\0';

    private void Skip()
    {
        while (_i < _s.Length && _s[_i] is ' ' or '\t') _i++;
    }

    private readonly InvalidDataException Error(string what)
    {
        string shown = _s.Length > 120 ? _s[..120] + "…" : _s;
        return new InvalidDataException(_fail(string.Create(CultureInfo.InvariantCulture,
            $"bad header dict: {what} at character {_i} of {shown.TrimEnd().Replace("\n", "\\n", StringComparison.Ordinal)}.")));
    }
}
