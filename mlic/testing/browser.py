"""A headless Chromium driven by Selenium, from the system's packages only
(Debian's ``chromium`` and ``chromium-driver``; ``.ci/run`` installs
them): the web demo's browser test and its screenshot script use it.
Selenium's own driver download (Selenium Manager) is never reached, because
both binaries are given by path."""
import os
import shutil
from typing import Optional, Tuple

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome')
DRIVERS = ('chromedriver', 'chromium-driver')


def find_browser() -> Tuple[Optional[str], Optional[str]]:
    """(browser, driver) paths found on PATH (or in ``CHROME_BINARY`` /
    ``CHROMEDRIVER``), None where missing."""
    browser = os.environ.get('CHROME_BINARY') or next(
        filter(None, map(shutil.which, BROWSERS)), None)
    driver = os.environ.get('CHROMEDRIVER') or next(
        filter(None, map(shutil.which, DRIVERS)), None)
    return browser, driver


def headless_chromium(width: int = 1400, height: int = 2000):
    """A Selenium ``webdriver.Chrome`` on the system's Chromium, headless.

    Raises:
        FileNotFoundError: no browser or no driver; the message says which
            packages provide them.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    browser, driver = find_browser()
    if not browser or not driver:
        raise FileNotFoundError(
            f'no Chromium ({browser or "not found"}) or ChromeDriver '
            f'({driver or "not found"}); on Debian: apt-get install '
            'chromium chromium-driver')
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', f'--window-size={width},{height}'):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=options)
