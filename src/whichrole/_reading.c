/* The lexicon's reader in one compiled pass: words, terms and the reading rules.

   It does what signals.CompiledLexicon.counted does over what words.ReferenceMatcher finds, and
   the property tests keep the two equal: a text's words (as words.Splitter translates its bytes)
   are looked up among the surface forms of the lexicon's words, the longest term starting at
   each word not already part of one is taken, from left to right, and the reading rules weigh
   each phrase found (sections, negation, work given to others, nice-to-haves). What comes back
   is each (term, amount) pair counted, in order of first appearance, with how many times, and
   the number of words read: Python sums the pairs into signals as the reference does, so the
   sums are the same to the last bit. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* The reading cues a term can be, as bits (the module's attributes of the same names). */
enum {
    NEGATOR = 1, NEGATION_END = 2, NOT_NEEDED = 4, LIST_JOIN = 8, OTHERS = 16, HIRE = 32,
    BEFORE = 64, AFTER = 128, SENTENCE = 256, OTHER_CUE = 512
};
#define SENTENCE_BYTE 0x03 /* words.SENTENCE_END: a word of its own */

typedef struct {
    const char *text; /* into the arena */
    Py_ssize_t size;
    int word;
} VocabSlot;

typedef struct {
    uint64_t key; /* node << 32 | word, plus one so that 0 is empty */
    int child;
} EdgeSlot;

typedef struct {
    PyObject_HEAD
    char *arena;
    VocabSlot *vocab;
    size_t vocab_mask;
    EdgeSlot *edges;
    size_t edge_mask;
    int *terminal;    /* node -> term number, or -1 */
    int nodes;
    int *flags;       /* term -> cue bits */
    double *section;  /* term -> the weight of the section it heads, or NaN */
    char *signals;    /* term -> whether it is a phrase of any signal */
    int terms;
    double opening_weight, others_weight, secondary_weight;
    Py_ssize_t window, not_needed_gap;
} Reader;

static uint64_t hash_bytes(const char *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static size_t table_size(Py_ssize_t entries) {
    size_t size = 16;
    while (size < (size_t)entries * 2 + 1)
        size <<= 1;
    return size;
}

static int lookup_word(const Reader *r, const char *s, Py_ssize_t n) {
    size_t i = hash_bytes(s, n) & r->vocab_mask;
    while (r->vocab[i].text) {
        if (r->vocab[i].size == n && memcmp(r->vocab[i].text, s, n) == 0)
            return r->vocab[i].word;
        i = (i + 1) & r->vocab_mask;
    }
    return -1;
}

static int child_of(const Reader *r, int node, int word) {
    uint64_t key = (((uint64_t)node << 32) | (uint32_t)word) + 1;
    size_t i = mix(key) & r->edge_mask;
    while (r->edges[i].key) {
        if (r->edges[i].key == key)
            return r->edges[i].child;
        i = (i + 1) & r->edge_mask;
    }
    return -1;
}

/* The words of ``s`` (runs of bytes other than spaces, the sentence mark a word of its own), each
   as its id in the vocabulary, -1 for a word of none; returns how many, and sets ``words`` to how
   many are not sentence marks. ``ids`` holds ``size`` words at least: sentence marks, a word each,
   need no space between them. */
static Py_ssize_t words_of(const Reader *r, const char *s, Py_ssize_t size, int *ids, Py_ssize_t *words) {
    Py_ssize_t n = 0;
    *words = 0;
    for (Py_ssize_t i = 0; i < size;) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        if (s[i] == SENTENCE_BYTE)
            i++;
        else
            while (i < size && s[i] != ' ' && s[i] != SENTENCE_BYTE)
                i++;
        ids[n++] = lookup_word(r, s + start, i - start);
        *words += s[start] != SENTENCE_BYTE;
    }
    return n;
}

/* The longest term starting at word ``i``, and its length in words; -1 for none. */
static int longest_term(const Reader *r, const int *ids, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *length) {
    int node = 0, term = -1;
    *length = 0;
    for (Py_ssize_t j = i; j < n && ids[j] >= 0; j++) {
        node = child_of(r, node, ids[j]);
        if (node < 0)
            break;
        if (r->terminal[node] >= 0) {
            term = r->terminal[node];
            *length = j - i + 1;
        }
    }
    return term;
}

/* The next term from word ``*i`` on: its number (-1 when there is none), the word it starts at in
   ``*start``, and ``*i`` moved past it. */
static int next_term(const Reader *r, const int *ids, Py_ssize_t n, Py_ssize_t *i, Py_ssize_t *start) {
    while (*i < n) {
        Py_ssize_t length;
        int term = longest_term(r, ids, n, *i, &length);
        if (term >= 0) {
            *start = *i;
            *i += length;
            return term;
        }
        (*i)++;
    }
    return -1;
}

static void Reader_dealloc(Reader *r) {
    PyMem_Free(r->arena);
    PyMem_Free(r->vocab);
    PyMem_Free(r->edges);
    PyMem_Free(r->terminal);
    PyMem_Free(r->flags);
    PyMem_Free(r->section);
    PyMem_Free(r->signals);
    Py_TYPE(r)->tp_free((PyObject *)r);
}

/* Reader(vocabulary, edges, terminals, terms, opening_weight, others_weight, secondary_weight,
          window, not_needed_gap)
   vocabulary: {bytes: word}; edges: [(node, word, child)] from node 0, the root;
   terminals: [term or -1] by node; terms: [(cue bits, section weight or None, has signals)]. */
static int Reader_init(Reader *r, PyObject *args, PyObject *kwargs) {
    PyObject *vocabulary, *edges, *terminals, *terms;
    if (!PyArg_ParseTuple(args, "O!O!O!O!dddnn", &PyDict_Type, &vocabulary, &PyList_Type, &edges,
                          &PyList_Type, &terminals, &PyList_Type, &terms, &r->opening_weight,
                          &r->others_weight, &r->secondary_weight, &r->window, &r->not_needed_gap))
        return -1;

    Py_ssize_t words = PyDict_Size(vocabulary), arena_size = 0, pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(vocabulary, &pos, &key, &value)) {
        if (!PyBytes_Check(key) || !PyLong_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "vocabulary: bytes to int");
            return -1;
        }
        arena_size += PyBytes_GET_SIZE(key);
    }
    size_t vocab_size = table_size(words);
    r->arena = PyMem_Malloc(arena_size + 1);
    r->vocab = PyMem_Calloc(vocab_size, sizeof(VocabSlot));
    if (!r->arena || !r->vocab) {
        PyErr_NoMemory();
        return -1;
    }
    r->vocab_mask = vocab_size - 1;
    char *next = r->arena;
    pos = 0;
    while (PyDict_Next(vocabulary, &pos, &key, &value)) {
        Py_ssize_t n = PyBytes_GET_SIZE(key);
        memcpy(next, PyBytes_AS_STRING(key), n);
        size_t i = hash_bytes(next, n) & r->vocab_mask;
        while (r->vocab[i].text)
            i = (i + 1) & r->vocab_mask;
        r->vocab[i].text = next;
        r->vocab[i].size = n;
        r->vocab[i].word = (int)PyLong_AsLong(value);
        next += n;
    }

    Py_ssize_t edge_count = PyList_GET_SIZE(edges);
    size_t edge_size = table_size(edge_count);
    r->edges = PyMem_Calloc(edge_size, sizeof(EdgeSlot));
    if (!r->edges) {
        PyErr_NoMemory();
        return -1;
    }
    r->edge_mask = edge_size - 1;
    for (Py_ssize_t e = 0; e < edge_count; e++) {
        int node, word, child;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(edges, e), "iii", &node, &word, &child))
            return -1;
        uint64_t k = (((uint64_t)node << 32) | (uint32_t)word) + 1;
        size_t i = mix(k) & r->edge_mask;
        while (r->edges[i].key)
            i = (i + 1) & r->edge_mask;
        r->edges[i].key = k;
        r->edges[i].child = child;
    }

    r->nodes = (int)PyList_GET_SIZE(terminals);
    r->terminal = PyMem_Malloc(sizeof(int) * (r->nodes ? r->nodes : 1));
    if (!r->terminal) {
        PyErr_NoMemory();
        return -1;
    }
    for (int n = 0; n < r->nodes; n++)
        r->terminal[n] = (int)PyLong_AsLong(PyList_GET_ITEM(terminals, n));

    r->terms = (int)PyList_GET_SIZE(terms);
    r->flags = PyMem_Malloc(sizeof(int) * (r->terms ? r->terms : 1));
    r->section = PyMem_Malloc(sizeof(double) * (r->terms ? r->terms : 1));
    r->signals = PyMem_Malloc(r->terms ? r->terms : 1);
    if (!r->flags || !r->section || !r->signals) {
        PyErr_NoMemory();
        return -1;
    }
    for (int t = 0; t < r->terms; t++) {
        int flags, has_signals;
        PyObject *section;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(terms, t), "iOp", &flags, &section, &has_signals))
            return -1;
        r->flags[t] = flags;
        r->section[t] = section == Py_None ? NAN : PyFloat_AsDouble(section);
        r->signals[t] = (char)has_signals;
    }
    return PyErr_Occurred() ? -1 : 0;
}

typedef struct {
    int term;
    double amount;
    Py_ssize_t end;
} Counted;

/* read(translated: bytes, base_weight: float | None) -> ([(term, amount, times)], words) */
static PyObject *Reader_read(Reader *r, PyObject *args) {
    Py_buffer text;
    PyObject *base = Py_None;
    if (!PyArg_ParseTuple(args, "y*|O", &text, &base))
        return NULL;
    int fixed = base != Py_None;
    double base_weight = fixed ? PyFloat_AsDouble(base) : 0.0;
    if (fixed && PyErr_Occurred()) {
        PyBuffer_Release(&text);
        return NULL;
    }
    const char *s = text.buf;
    Py_ssize_t size = text.len;
    int *ids = PyMem_Malloc(sizeof(int) * (size + 1));
    Counted *counted = PyMem_Malloc(sizeof(Counted) * (size + 1));
    if (!ids || !counted) {
        PyMem_Free(ids);
        PyMem_Free(counted);
        PyBuffer_Release(&text);
        return PyErr_NoMemory();
    }

    Py_ssize_t words, n = words_of(r, s, size, ids, &words);

    double weight = fixed ? base_weight : r->opening_weight;
    double amount = weight, others = 1.0, secondary = 1.0;
    Py_ssize_t found = 0, sentence_start = 0, plus_start = 0, plus_end = 0;
    /* Positions in words; -1 for none. */
    Py_ssize_t negation_start = -1, negation_end = -1, last_negator_start = -1, last_negator_end = -1;
    Py_ssize_t negated_end = -1;

    Py_ssize_t i = 0, start;
    int term;
    while ((term = next_term(r, ids, n, &i, &start)) >= 0) {
        Py_ssize_t end = i;
        int flags = r->flags[term];
        double section = r->section[term];
        int plain = r->signals[term] && !flags && isnan(section);

        if (plain && negation_start < 0) {
            if (amount != 0.0)
                counted[found++] = (Counted){term, amount, end};
            last_negator_start = last_negator_end = -1;
            continue;
        }
        if (flags & SENTENCE) {
            sentence_start = plus_start = plus_end = found;
            negation_start = negation_end = negated_end = last_negator_start = last_negator_end = -1;
            others = secondary = 1.0;
            amount = weight;
            continue;
        }
        double in_force = amount;
        if (flags) {
            if ((flags & NOT_NEEDED) && last_negator_start >= 0 && last_negator_end == start) {
                /* "PhD is not required": cancels the phrases that ended just before the negator */
                for (Py_ssize_t k = sentence_start; k < found; k++)
                    if (counted[k].end <= last_negator_start &&
                        last_negator_start - counted[k].end <= r->not_needed_gap)
                        counted[k].amount = 0.0;
            }
            last_negator_start = last_negator_end = -1;
            if (flags & NEGATOR) {
                negation_start = last_negator_start = start;
                negation_end = last_negator_end = end;
            }
            if (flags & NEGATION_END)
                negation_start = negation_end = -1;
            if ((flags & LIST_JOIN) && negated_end >= 0 && start - negated_end == 0) {
                negation_start = start;
                negation_end = end;
            }
            if (flags & OTHERS)
                others = r->others_weight;
            if (flags & HIRE)
                others = 1.0;
            if ((flags & BEFORE) && secondary == 1.0) {
                secondary = r->secondary_weight;
                plus_end = found;
            }
            if (flags & AFTER) {
                if (secondary == 1.0)
                    plus_end = found;
                for (Py_ssize_t k = plus_start; k < plus_end; k++)
                    counted[k].amount = counted[k].amount * r->secondary_weight;
                plus_start = found;
            }
        } else {
            last_negator_start = last_negator_end = -1;
        }
        if (!isnan(section) && !fixed)
            weight = section;
        amount = weight * others * secondary;
        double own = (flags & OTHERS) ? in_force : amount;
        if (!r->signals[term] || own == 0.0)
            continue;
        if (negation_start >= 0) {
            if (start - negation_end < r->window) {
                negated_end = end;
                continue;
            }
            negation_start = negation_end = negated_end = -1;
        }
        counted[found++] = (Counted){term, own, end};
    }

    /* Each (term, amount) pair once, in order of first appearance, with how many times. */
    PyObject *tallies = PyList_New(0);
    Py_ssize_t *times = PyMem_Calloc(found + 1, sizeof(Py_ssize_t));
    Py_ssize_t *pair = PyMem_Malloc(sizeof(Py_ssize_t) * (found + 1)); /* first index of each pair */
    Py_ssize_t pairs = 0;
    if (tallies && times && pair) {
        for (Py_ssize_t k = 0; k < found; k++) {
            Py_ssize_t p = 0;
            while (p < pairs && !(counted[pair[p]].term == counted[k].term &&
                                  counted[pair[p]].amount == counted[k].amount))
                p++;
            if (p == pairs)
                pair[pairs++] = k;
            times[p]++;
        }
        for (Py_ssize_t p = 0; p < pairs; p++) {
            PyObject *item = Py_BuildValue("(idn)", counted[pair[p]].term, counted[pair[p]].amount, times[p]);
            if (!item || PyList_Append(tallies, item) < 0) {
                Py_XDECREF(item);
                Py_CLEAR(tallies);
                break;
            }
            Py_DECREF(item);
        }
    } else if (!PyErr_Occurred()) {
        PyErr_NoMemory();
        Py_CLEAR(tallies);
    }
    PyMem_Free(times);
    PyMem_Free(pair);
    PyMem_Free(ids);
    PyMem_Free(counted);
    PyBuffer_Release(&text);
    if (!tallies)
        return NULL;
    return Py_BuildValue("(Nn)", tallies, words);
}

/* find(translated: bytes) -> [(term, start, end)]: the terms found, at their words (for tests). */
static PyObject *Reader_find(Reader *r, PyObject *args) {
    Py_buffer text;
    if (!PyArg_ParseTuple(args, "y*", &text))
        return NULL;
    int *ids = PyMem_Malloc(sizeof(int) * (text.len + 1));
    PyObject *found = PyList_New(0);
    if (!ids || !found) {
        PyMem_Free(ids);
        Py_XDECREF(found);
        PyBuffer_Release(&text);
        return PyErr_NoMemory();
    }
    Py_ssize_t words, n = words_of(r, text.buf, text.len, ids, &words);
    Py_ssize_t i = 0, start;
    int term;
    while ((term = next_term(r, ids, n, &i, &start)) >= 0) {
        PyObject *item = Py_BuildValue("(inn)", term, start, i);
        if (!item || PyList_Append(found, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(found);
            break;
        }
        Py_DECREF(item);
    }
    PyMem_Free(ids);
    PyBuffer_Release(&text);
    return found;
}

static PyMethodDef Reader_methods[] = {
    {"find", (PyCFunction)Reader_find, METH_VARARGS, "find(translated) -> [(term, start, end)], in words"},
    {"read", (PyCFunction)Reader_read, METH_VARARGS,
     "read(translated, base_weight=None) -> ([(term, amount, times)], words)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "whichrole._reading.Reader",
    .tp_basicsize = sizeof(Reader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The lexicon compiled for reading texts in one pass.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Reader_init,
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_methods = Reader_methods,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_reading", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__reading(void) {
    if (PyType_Ready(&ReaderType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    Py_INCREF(&ReaderType);
    if (PyModule_AddObject(m, "Reader", (PyObject *)&ReaderType) < 0) {
        Py_DECREF(&ReaderType);
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddIntConstant(m, "NEGATOR", NEGATOR);
    PyModule_AddIntConstant(m, "NEGATION_END", NEGATION_END);
    PyModule_AddIntConstant(m, "NOT_NEEDED", NOT_NEEDED);
    PyModule_AddIntConstant(m, "LIST_JOIN", LIST_JOIN);
    PyModule_AddIntConstant(m, "OTHERS", OTHERS);
    PyModule_AddIntConstant(m, "HIRE", HIRE);
    PyModule_AddIntConstant(m, "BEFORE", BEFORE);
    PyModule_AddIntConstant(m, "AFTER", AFTER);
    PyModule_AddIntConstant(m, "SENTENCE", SENTENCE);
    PyModule_AddIntConstant(m, "OTHER_CUE", OTHER_CUE);
    return m;
}
