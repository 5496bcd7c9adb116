"""The screenshot of docs/web_demo.md: the web demo on a model, after
uploading demo/multiglyphs_demo.png, in the headless Chromium the browser
test uses (mlic.testing.browser).

    python .dev_scripts/web_demo_screenshot.py [CONFIG CHECKPOINT]
        [--out docs/images/web_demo.png] [--url URL]

With no model, the README quick start's
(configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py,
work_dirs/mlic_quickstart/epoch_10.pth). ``--url`` drives a page that is
already served instead of starting demo/web_demo.py.
"""
import argparse
import os.path as osp
import socket
import subprocess
import sys
import tempfile
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
IMAGE = osp.join(REPO, 'demo', 'multiglyphs_demo.png')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'config',
        nargs='?',
        default='configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        default='work_dirs/mlic_quickstart/epoch_10.pth')
    parser.add_argument('--out', default='docs/images/web_demo.png')
    parser.add_argument('--url', help='a page already served')
    return parser.parse_args()


def serve(config, checkpoint, log):
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([
        sys.executable,
        osp.join(REPO, 'demo', 'web_demo.py'), config, checkpoint, '--port',
        str(port), '--device', 'cpu'
    ],
                            stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 180
    while 'Running on local URL' not in open(log.name).read():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            sys.exit('the web demo did not start:\n' + open(log.name).read())
        time.sleep(0.5)
    return proc, f'http://127.0.0.1:{port}/'


def shoot(url, out):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from mlic.testing.browser import headless_chromium
    driver = headless_chromium(width=1400, height=1900)
    try:
        driver.get(url)
        WebDriverWait(driver, 60).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, 'input[type=file]'))
        driver.find_element(By.CSS_SELECTOR,
                            'input[type=file]').send_keys(IMAGE)
        WebDriverWait(driver, 120).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, '#mlic-graph img') or d.
            find_elements(By.CSS_SELECTOR, '#mlic-error'))
        time.sleep(1)  # the gallery's images load after the page's text
        if not driver.save_screenshot(out):
            sys.exit(f'could not write {out}')
    finally:
        driver.quit()


def main():
    args = parse_args()
    proc = None
    with tempfile.NamedTemporaryFile('w', suffix='.log') as log:
        url = args.url
        if url is None:
            proc, url = serve(args.config, args.checkpoint, log)
        try:
            shoot(url, args.out)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
