#!/usr/bin/env python3
"""Writes documentation pages of N fields for timing `top gen` (BENCHMARKS.md):
big-flat-N.txt (one-line rows) and big-nested-N.txt (nested runs under one object), each
field shown in the XML example. Usage: python3 scripts/big-page.py OUT_DIR N..."""
import sys


def page(n, path, nested):
    lines = ['taobao.big.page.get (大页面)', '', '大页面', '', '公共参数', '', '请求参数', '',
             '名称 类型 是否必须 示例值 更多限制 描述']
    for i in range(n // 2):
        lines.append('p%d String 可选 x%d 参数%d' % (i, i, i))
    lines += ['', '响应参数', '', '名称 类型 示例值 描述']
    xml = ['<big_page_get_response>']
    if nested:
        lines.append('result Result 结果')
        xml.append('<result>')
        for i in range(n // 2):
            lines += ['  • └ f%d' % i, '  • String', '  • v%d' % i, '  • 字段%d' % i]
            xml.append('<f%d>v%d</f%d>' % (i, i, i))
        xml.append('</result>')
    else:
        for i in range(n // 2):
            lines.append('f%d String v%d 字段%d' % (i, i, i))
            xml.append('<f%d>v%d</f%d>' % (i, i, i))
    xml.append('</big_page_get_response>')
    lines += ['', '请求示例', '', 'client.execute(req)', '', '响应示例', ''] + xml + ['', '异常示例', '']
    with open(path, 'w') as out:
        out.write('\n'.join(lines))


for n in map(int, sys.argv[2:]):
    page(n, '%s/big-flat-%d.txt' % (sys.argv[1], n), False)
    page(n, '%s/big-nested-%d.txt' % (sys.argv[1], n), True)
