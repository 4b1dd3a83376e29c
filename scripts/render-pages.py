#!/usr/bin/env python3
# Renders catalog entries in the layout of the platform's documentation pages, with made-up
# wording and example values and the layout quirks real pages have: it wrote
# top-cli/tests/pages/more/ (alibaba.idle.rent.item.query.txt was then edited by hand to add
# a default-value bullet and fields with no description, as the real page has).
# Usage: python3 scripts/render-pages.py
import json, glob, sys
apis = {}
for f in glob.glob('catalog/apis/*.json'):
    for a in json.load(open(f)):
        apis[a['method']] = a
EX = {'String': 'abc123', 'Number': '42', 'Boolean': 'true', 'Date': '2024-05-01 10:00:00', 'Price': '12.50',
      'BigDecimal': '3.1415', 'Json': '{"k":1}', 'byte[]': '', 'byte': '1'}
def ty(p): return (p.get('type') or 'String').replace(' ', '')
def item(t): return t[:-2] if t.endswith('[]') and t != 'byte[]' else t
def shown(t): return item(t) + ' []' if t.endswith('[]') and t != 'byte[]' else t
def desc(p): return '说明' + p['name'].replace('_', '')[:12]
def ex(p):
    t = item(ty(p))
    return EX.get(t, '')
def limits(p):
    out = []
    if p.get('maxLength'): out.append('最大长度:%d' % p['maxLength'])
    if p.get('maxListSize'): out.append('最大列表长度:%d' % p['maxListSize'])
    if p.get('minValue') is not None: out.append('最小值:%d' % p['minValue'])
    if p.get('maxValue') is not None: out.append('最大值:%d' % p['maxValue'])
    return out
def req_rows(ps, o, L):
    for p in ps or []:
        t = ty(p); r = '必须' if p.get('required') else '可选'
        lim = limits(p); e = ex(p)
        cells = [p['name'], shown(t), r] + ([e] if e else [])
        if o.get('tabs'):
            # A browser's copy keeps every cell, empty ones too.
            line = '\t'.join([p['name'], shown(t), r, e] + ([] if lim else ['', desc(p)]))
        else:
            line = ' '.join(cells + ([] if lim else [desc(p)]))
        L.append(line)
        for l in lim: L.append('  • ' + l)
        if lim: L.append('  • ' + desc(p))
        members(p.get('subParams'), True, L)
def members(ps, request, L):
    for p in ps or []:
        t = ty(p); obj = bool(p.get('subParams'))
        L.append('  • ' + ('' if obj else '└ ') + p['name'])
        L.append('  • ' + shown(t))
        if request:
            L.append('  • ' + ('必须' if p.get('required') else '可选'))
        e = ex(p)
        if e and not obj: L.append('  • ' + e)
        L.append('  • ' + desc(p))
        members(p.get('subParams'), request, L)
def resp_rows(ps, o, L):
    for p in ps or []:
        t = ty(p); e = ex(p)
        cells = [p['name'], shown(t)] + ([e] if e and not p.get('subParams') else []) + [desc(p)]
        if o.get('tabs'):
            cells = [p['name'], shown(t), e if not p.get('subParams') else '', desc(p)]
        L.append(('\t' if o.get('tabs') else ' ').join(cells))
        members(p.get('subParams'), False, L)
def xml_of(name, p, ind, L, items):
    t = ty(p); subs = p.get('subParams')
    pad = '    ' * ind
    if t.endswith('[]') and t != 'byte[]':
        L.append(pad + '<%s>' % name)
        wrap = ''.join(w.lower() if i == 0 else w for i, w in enumerate(item(t))) if subs else item(t).lower()
        wrap = ''.join('_' + c.lower() if c.isupper() else c for c in item(t)).lstrip('_') if subs else item(t).lower()
        for _ in range(items):
            if subs:
                L.append(pad + '    <%s>' % wrap)
                for s in subs: xml_of(s['name'], s, ind + 2, L, items)
                L.append(pad + '    </%s>' % wrap)
            else:
                L.append(pad + '    <%s>%s</%s>' % (wrap, ex(p) or 'x', wrap))
        L.append(pad + '</%s>' % name)
    elif subs:
        L.append(pad + '<%s>' % name)
        for s in subs: xml_of(s['name'], s, ind + 1, L, items)
        L.append(pad + '</%s>' % name)
    else:
        L.append(pad + '<%s>%s</%s>' % (name, (ex(p) or 'x').replace('&', '&amp;').replace('<', '&lt;'), name))
def json_of(p):
    t = ty(p); subs = p.get('subParams')
    def one():
        if subs: return {s['name']: json_of(s) for s in subs}
        e = ex(p) or 'x'
        return {'Number': 42, 'Boolean': True}.get(item(t), e)
    if t.endswith('[]') and t != 'byte[]':
        wrap = ''.join('_' + c.lower() if c.isupper() else c for c in item(t)).lstrip('_') if subs else item(t).lower()
        return {wrap: [one(), one()]}
    return one()
def render(method, o):
    a = apis[method]
    root = (method[len('taobao.'):] if method.startswith('taobao.') else method).replace('.', '_') + '_response'
    L = []
    if o.get('crumb'): L.append('文档中心 > API类目 > ' + a['package'])
    L.append('%s (%s)' % (method, a['title']))
    L.append('')
    L.append(a['title'] + '的接口')
    if o.get('session_line'): L.append(o['session_line'])
    L += ['', '公共参数', '', '请求参数', '', '名称 类型 是否必须 示例值 更多限制 描述']
    req_rows(a.get('requestParams'), o, L)
    L += ['', '响应参数', '', '名称 类型 示例值 描述']
    resp_rows(a.get('responseParams'), o, L)
    L += ['', '请求示例', '', '  • JAVA', '  • .NET', '  • PHP']
    cls = ''.join(w.capitalize() for w in method.split('.')[1:])
    L.append('TaobaoClient client = new DefaultTaobaoClient(url, appkey, secret);')
    L.append('%sRequest req = new %sRequest();' % (cls, cls))
    L.append('%sResponse rsp = client.execute(req%s);' % (cls, ', sessionKey' if o.get('session_key') else ''))
    L.append('System.out.println(rsp.getBody());')
    L += ['', '响应示例', '', '  • XML示例', '  • JSON示例']
    X = ['<?xml version="1.0" encoding="utf-8" ?>'] if o.get('decl') else []
    X.append('<%s>' % root)
    for p in a.get('responseParams') or []: xml_of(p['name'], p, 1, X, o.get('items', 1))
    if o.get('request_id'): X.append('    <request_id>2fkn3n8s9b0c</request_id>')
    X.append('</%s>' % root)
    body = {p['name']: json_of(p) for p in a.get('responseParams') or []}
    if o.get('request_id'): body['request_id'] = '2fkn3n8s9b0c'
    J = json.dumps({root: body}, ensure_ascii=False, indent=2).split('\n')
    if o.get('json_only'): L += J
    elif o.get('json_first'): L += J + [''] + X
    else: L += X + ([''] + J if o.get('both') else [])
    L += ['', '异常示例', '', '  • XML示例', '<error_response>', '    <code>50</code>', '    <msg>Remote service error</msg>',
          '</error_response>', '', '错误码解释', '', '错误码 错误描述 解决方案', '']
    if o.get('trailing'): L = [l + '  ' if l else l for l in L]
    text = ('\r\n' if o.get('crlf') else '\n').join(L)
    data = (('\ufeff' if o.get('bom') else '') + text).encode('utf-8')
    open('top-cli/tests/pages/more/%s.txt' % method, 'wb').write(data)
PAGES = [
 ('taobao.time.get', dict(session_line='不需要授权', decl=True)),
 ('taobao.picture.upload', dict(session_key=True, crumb=True, request_id=True, bom=True)),
 ('taobao.drug.price.update', dict(session_line='需要授权', json_first=True)),
 ('taobao.crm.group.append', dict(session_key=True, crlf=True)),
 ('taobao.crm.group.add', dict(session_key=True, tabs=True, trailing=True)),
 ('alibaba.scbp.showcase.addproduct', dict(session_line='可选授权', both=True)),
 ('taobao.top.auth.token.create', dict(json_only=True, request_id=True)),
 ('tmall.product.spec.pic.upload', dict(session_key=True, crlf=True, bom=True, trailing=True)),
 ('alibaba.idle.rent.item.query', dict(crumb=True, items=2, request_id=True)),
 ('alibaba.ele.fengniao.merchant.contract.cancel', dict(both=True, json_first=True)),
 ('taobao.aftersale.get', dict(session_key=True, items=3)),
 ('alibaba.charity.charitytime.user.queryusercharityaccount', dict(tabs=True, decl=True)),
 ('taobao.miniapp.shorturl.create', dict(session_line='可选授权', crumb=True)),
 ('taobao.train.agent.get.refund', dict(session_key=True, json_only=True)),
 ('taobao.wlb.order.consign', dict(session_key=True, items=2, crlf=True)),
 ('taobao.item.sku.delete', dict(session_line='需要授权', request_id=True, tabs=True)),
]
# With methods as arguments, renders only those.
for m, o in PAGES:
    if len(sys.argv) < 2 or m in sys.argv[1:]:
        render(m, o)
