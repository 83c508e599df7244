package io.sklad.webdav.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/** Parsing of request bodies (small, bounded, no DTDs) and serialising of property values. */
public final class DavXml {

    public static final String DAV = "DAV:";

    private static final DocumentBuilderFactory FACTORY = newFactory();

    private DavXml() {
    }

    private static DocumentBuilderFactory newFactory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setExpandEntityReferences(false);
        f.setXIncludeAware(false);
        try {
            // No DTDs at all: closes XXE and entity expansion bombs in one go.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        return f;
    }

    /**
     * Parses a request body.
     *
     * @throws DavStatusException 400 when it is not well-formed, namespace-valid XML
     */
    public static Document parse(byte[] body) throws DavStatusException {
        try {
            DocumentBuilder b = FACTORY.newDocumentBuilder();
            b.setErrorHandler(STRICT);
            return b.parse(new ByteArrayInputStream(body));
        } catch (SAXException | IOException e) {
            throw new DavStatusException(400, "malformed XML body");
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ErrorHandler STRICT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    public static boolean is(Node n, String ns, String local) {
        return n instanceof Element e && local.equals(e.getLocalName()) && ns.equals(nsOf(e));
    }

    public static String nsOf(Node n) {
        String ns = n.getNamespaceURI();
        return ns == null ? "" : ns;
    }

    public static QName qname(Element e) {
        return new QName(nsOf(e), e.getLocalName());
    }

    /** Element children of {@code e}, skipping text and comments. */
    public static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                out.add(c);
            }
        }
        return out;
    }

    public static Element child(Element e, String ns, String local) {
        for (Element c : children(e)) {
            if (is(c, ns, local)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Serialises an element with every namespace it uses declared on it, so the text is well-formed
     * on its own wherever it is later embedded.
     */
    public static String serialize(Element e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e, new HashMap<>());
        return sb.toString();
    }

    /** Serialises the children of {@code e} (mixed content) the same way. */
    public static String serializeContent(Element e) {
        StringBuilder sb = new StringBuilder();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            writeNode(sb, n, new HashMap<>());
        }
        return sb.toString();
    }

    private static void writeNode(StringBuilder sb, Node n, Map<String, String> scope) {
        switch (n.getNodeType()) {
            case Node.ELEMENT_NODE -> write(sb, (Element) n, scope);
            case Node.TEXT_NODE, Node.CDATA_SECTION_NODE -> sb.append(escape(n.getNodeValue()));
            default -> {
            }
        }
    }

    private static void write(StringBuilder sb, Element e, Map<String, String> outer) {
        Map<String, String> scope = new HashMap<>(outer);
        StringBuilder decls = new StringBuilder();
        String ns = nsOf(e);
        String tag;
        if (ns.isEmpty()) {
            tag = e.getLocalName();
            if (scope.containsKey("")) {
                decls.append(" xmlns=\"\"");
                scope.remove("");
            }
        } else {
            String prefix = prefixFor(ns, scope, decls);
            tag = prefix + ":" + e.getLocalName();
        }
        StringBuilder attrs = new StringBuilder();
        NamedNodeMap am = e.getAttributes();
        for (int i = 0; i < am.getLength(); i++) {
            Attr a = (Attr) am.item(i);
            String ans = nsOf(a);
            if (XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(ans)) {
                continue;
            }
            String name = ans.isEmpty() ? a.getLocalName() : prefixFor(ans, scope, decls) + ":" + a.getLocalName();
            attrs.append(' ').append(name).append("=\"").append(escapeAttr(a.getValue())).append('"');
        }
        sb.append('<').append(tag).append(decls).append(attrs);
        if (e.getFirstChild() == null) {
            sb.append("/>");
            return;
        }
        sb.append('>');
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            writeNode(sb, n, scope);
        }
        sb.append("</").append(tag).append('>');
    }

    private static String prefixFor(String ns, Map<String, String> scope, StringBuilder decls) {
        for (Map.Entry<String, String> en : scope.entrySet()) {
            if (en.getValue().equals(ns) && !en.getKey().isEmpty()) {
                return en.getKey();
            }
        }
        String prefix = "n" + scope.size();
        while (scope.containsKey(prefix)) {
            prefix = prefix + "x";
        }
        scope.put(prefix, ns);
        decls.append(" xmlns:").append(prefix).append("=\"").append(escapeAttr(ns)).append('"');
        return prefix;
    }

    public static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '\r' -> "&#13;";
                default -> null;
            };
            if (r != null) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                sb.append(r);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    public static String escapeAttr(String s) {
        return escape(s).replace("\"", "&quot;");
    }
}
